// `lodestar nearline replay` killed with SIGKILL at random points and started again on the same directory ends
// with the state of a replay never interrupted: the same counters, histories, profiles and posts, each event in
// the ledger once, the same final prompts, every embedding of its prompt's newest version, every post searchable.
using System.Diagnostics;
using Lodestar.Index;
using Lodestar.Pipelines.ScaleOut;
using Lodestar.TestSupport;
using Microsoft.Data.Sqlite;

namespace Lodestar.Cli.Tests;

public sealed class NearlineKillTests(RedisServer redis) : IClassFixture<RedisServer>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-nearline-kill-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A 200-member world and a small feed-retrieval run on it; returns the run directory.</summary>
    private string TrainRun()
    {
        var config = SmallRetrievalRun.WriteConfig(_directory, """{ "epochs": 1, "batch_size": 16 }""");
        var run = Path.Combine(_directory, "run");
        CliProcess.Run("retrieval", "train", "--config", config, "--run", run, "--json");
        return run;
    }

    [Fact]
    public void AReplayKilledAtRandomPointsEndsAsAnUninterruptedOne()
    {
        var run = TrainRun();
        string[] Replay(string output) => ["nearline", "replay", "--run", run, "--out", Path.Combine(_directory, output), "--rate", "250", "--duplicate-share", "0.05", "--json"];
        CliProcess.Run(Replay("straight"));

        var random = new Lodestar.Core.SeededRandom(3);
        var kills = 0;
        string output = "";
        for (var attempt = 0; attempt < 12 && output.Length == 0; attempt++)
        {
            var stdout = new System.Text.StringBuilder();
            using var process = CliProcess.StartInBackground(Replay("killed"), line => stdout.Append(line));
            if (process.WaitForExit(TimeSpan.FromMilliseconds(800 + random.NextInt(2500))))
            {
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, $"the replay exited {process.ExitCode}");
                output = stdout.ToString();
                break;
            }
            process.Kill(entireProcessTree: true);
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)));
            kills++;
        }
        Assert.True(output.Length > 0, $"the replay did not finish after {kills} kills");
        using var summary = System.Text.Json.JsonDocument.Parse(output);
        Assert.True(summary.RootElement.GetProperty("resumed_at").GetInt64() > 0, "the last replay started from the beginning: no kill landed mid-replay");

        foreach (var table in new[] { "post_counts", "history", "members", "posts" })
        {
            Assert.Equal(Rows(Path.Combine(_directory, "straight"), $"SELECT * FROM {table} ORDER BY 1, 2"), Rows(Path.Combine(_directory, "killed"), $"SELECT * FROM {table} ORDER BY 1, 2"));
        }
        foreach (var query in new[] { "SELECT COUNT(*) FROM applied", "SELECT kind, id, text FROM prompts ORDER BY kind, id", "SELECT COUNT(*) FROM dead_letters" })
        {
            Assert.Equal(Rows(Path.Combine(_directory, "straight"), query), Rows(Path.Combine(_directory, "killed"), query));
        }
        Assert.Equal(["0"], Rows(Path.Combine(_directory, "killed"), """
            SELECT COUNT(*) FROM prompts p LEFT JOIN embeddings e ON e.kind = p.kind AND e.id = p.id WHERE e.version IS NULL OR e.version <> p.version
            """));
        var posts = Rows(Path.Combine(_directory, "straight"), "SELECT COUNT(*) FROM posts")[0];
        using var index = DurableIndex.OpenReadOnly(Path.Combine(_directory, "killed", "index"));
        Assert.Equal(posts, index.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void AnEmbeddingWorkerKilledMidReplayLosesNothing()
    {
        var run = TrainRun();
        const string Prefix = "kill-test:";
        string[] Worker(string name, int window, int batch) => ["nearline", "worker", "--stage", "embed", "--redis", redis.Endpoint, "--prefix", Prefix, "--run", run,
            "--name", name, "--claim-after-ms", "500", "--window-ms", $"{window}", "--max-batch", $"{batch}", "--exit-when-idle", "3", "--json"];
        // The doomed worker gathers for 5 s before it embeds anything, so whatever it has read is still pending when it is killed.
        using var doomed = Start(Worker("doomed", 5000, 4096));
        using var survivor = Start(Worker("survivor", 20, 16));
        using var replay = Start(["nearline", "replay", "--run", run, "--out", Path.Combine(_directory, "scaled"), "--redis", redis.Endpoint, "--prefix", Prefix,
            "--embed-workers", "0", "--rate", "250", "--json"]);
        var database = redis.Connection.GetDatabase();
        long PendingWithDoomed() => RedisNames.Priorities
            .Select(priority => new RedisNames(Prefix).PromptChanges(priority))
            .Where(stream => database.KeyExists(stream))
            .Sum(stream => database.StreamPending(stream, RedisNames.EmbedGroup).Consumers
                .Where(consumer => consumer.Name == "doomed").Sum(consumer => (long)consumer.PendingMessageCount));
        var waited = Stopwatch.StartNew();
        while (PendingWithDoomed() == 0 && waited.Elapsed < TimeSpan.FromMinutes(1) && !replay.Process.HasExited)
        {
            Thread.Sleep(50);
        }
        Assert.True(PendingWithDoomed() > 0, "the doomed worker read no change before the replay ended");
        Assert.False(replay.Process.HasExited, "the replay ended before the worker was killed");
        doomed.Process.Kill(entireProcessTree: true);
        Assert.True(replay.Process.WaitForExit(TimeSpan.FromMinutes(2)), "the replay did not finish after a worker was killed");
        replay.Process.WaitForExit();
        Assert.True(replay.Process.ExitCode == 0, $"the replay exited {replay.Process.ExitCode}");
        Assert.True(survivor.Process.WaitForExit(TimeSpan.FromMinutes(1)));
        survivor.Process.WaitForExit();
        using var summary = System.Text.Json.JsonDocument.Parse(replay.Output.ToString());
        using var survived = System.Text.Json.JsonDocument.Parse(survivor.Output.ToString());
        Assert.True(survived.RootElement.GetProperty("claimed").GetInt64() > 0, "the survivor claimed nothing: the kill left nothing pending");
        Assert.Equal(summary.RootElement.GetProperty("events").GetInt64(), summary.RootElement.GetProperty("prompts").GetProperty("applied").GetInt64());
        Assert.Equal(database.HashLength($"{Prefix}posts"), summary.RootElement.GetProperty("indexed_posts").GetInt64());
        foreach (var entry in database.HashGetAll($"{Prefix}prompt-texts"))
        {
            var key = (string)entry.Name!;
            Assert.Equal((int)database.HashGet($"{Prefix}prompt:{key}", "version"), (int)database.HashGet($"{Prefix}embedding:{key}", "version"));
        }
    }

    [Fact]
    public void APromptWorkerProcessKilledMidReplayLosesNothingAndAppliesNothingTwice()
    {
        var run = TrainRun();
        string[] Replay(string prefix, int promptWorkers) => ["nearline", "replay", "--run", run, "--out", Path.Combine(_directory, prefix.TrimEnd(':')), "--redis", redis.Endpoint,
            "--prefix", prefix, "--prompt-workers", $"{promptWorkers}", "--rate", "250", "--duplicate-share", "0.05", "--json"];
        string[] PromptWorker(string name) => ["nearline", "worker", "--stage", "prompts", "--redis", redis.Endpoint, "--prefix", "killed:", "--run", run,
            "--name", name, "--lease-ms", "1000", "--exit-when-idle", "3", "--json"];
        CliProcess.Run(Replay("straight:", promptWorkers: 1));

        var database = redis.Connection.GetDatabase();
        var killedNames = new RedisNames("killed:");
        using var doomed = Start(PromptWorker("doomed"));
        var waited = Stopwatch.StartNew();
        while (database.StringGet(killedNames.PromptLease) != "doomed" && waited.Elapsed < TimeSpan.FromMinutes(1))
        {
            Thread.Sleep(20);
        }
        Assert.Equal("doomed", (string?)database.StringGet(killedNames.PromptLease));
        using var standby = Start(PromptWorker("standby"));
        using var replay = Start(Replay("killed:", promptWorkers: 0));
        while (database.SetLength(killedNames.Applied) < 500 && waited.Elapsed < TimeSpan.FromMinutes(2) && !replay.Process.HasExited)
        {
            Thread.Sleep(20);
        }
        Assert.False(replay.Process.HasExited, "the replay ended before the prompt worker was killed");
        doomed.Process.Kill(entireProcessTree: true);
        Assert.True(doomed.Process.WaitForExit(TimeSpan.FromSeconds(30)));
        var appliedByDoomed = database.SetLength(killedNames.Applied);
        Assert.True(replay.Process.WaitForExit(TimeSpan.FromMinutes(2)), "the replay did not finish after its prompt worker was killed");
        replay.Process.WaitForExit();
        Assert.True(replay.Process.ExitCode == 0, $"the replay exited {replay.Process.ExitCode}");
        Assert.True(standby.Process.WaitForExit(TimeSpan.FromMinutes(1)), "the standby did not go idle");
        standby.Process.WaitForExit();
        using var tookOver = System.Text.Json.JsonDocument.Parse(standby.Output.ToString());
        var appliedByStandby = tookOver.RootElement.GetProperty("counters").GetProperty("applied").GetInt64();
        var straightNames = new RedisNames("straight:");
        Assert.True(appliedByStandby > 0 && appliedByStandby < database.SetLength(straightNames.Applied),
            $"the standby applied {appliedByStandby} of {database.SetLength(straightNames.Applied)} events: the kill did not land mid-replay");
        Assert.True(appliedByDoomed > 0);

        Assert.Equal(database.SetLength(straightNames.Applied), database.SetLength(killedNames.Applied));
        foreach (var (straight, killed) in new[] { (straightNames.Counts, killedNames.Counts), (straightNames.Members, killedNames.Members), (straightNames.Posts, killedNames.Posts) })
        {
            Assert.Equal(Sorted(database.HashGetAll(straight)), Sorted(database.HashGetAll(killed)));
        }
        // A version counts the batches that changed a prompt, and batches fall differently in the two runs: the texts must agree.
        static List<string> Texts(StackExchange.Redis.HashEntry[] prompts) => [.. prompts.Select(e => $"{e.Name}={((string)e.Value!)[(((string)e.Value!).IndexOf('\n') + 1)..]}").Order(StringComparer.Ordinal)];
        Assert.Equal(Texts(database.HashGetAll(straightNames.PromptTexts)), Texts(database.HashGetAll(killedNames.PromptTexts)));
        var members = database.HashKeys(straightNames.Members).Select(m => (long)m).ToList();
        Assert.NotEmpty(members);
        foreach (var member in members)
        {
            Assert.Equal(database.ListRange(straightNames.Seen(member)).Select(v => (string)v!), database.ListRange(killedNames.Seen(member)).Select(v => (string)v!));
            Assert.Equal(database.ListRange(straightNames.History(member)).Select(v => (string)v!), database.ListRange(killedNames.History(member)).Select(v => (string)v!));
        }
        foreach (var entry in database.HashGetAll(killedNames.PromptTexts))
        {
            var key = (string)entry.Name!;
            Assert.Equal((int)database.HashGet($"killed:prompt:{key}", "version"), (int)database.HashGet($"killed:embedding:{key}", "version"));
        }
        using var summary = System.Text.Json.JsonDocument.Parse(replay.Output.ToString());
        Assert.Equal(database.HashLength(killedNames.Posts), summary.RootElement.GetProperty("indexed_posts").GetInt64());
    }

    private static List<string> Sorted(StackExchange.Redis.HashEntry[] entries) => [.. entries.Select(e => $"{e.Name}={e.Value}").Order(StringComparer.Ordinal)];

    [Fact]
    public void AnIndexReplicaKilledMidReplayCatchesUpWhenStartedAgain()
    {
        var run = TrainRun();
        const string Prefix = "replica-test:";
        var replicaDirectory = Path.Combine(_directory, "replica-b");
        string[] Replica() => ["nearline", "worker", "--stage", "index", "--redis", redis.Endpoint, "--prefix", Prefix, "--run", run, "--name", "replica-b",
            "--out", replicaDirectory, "--exit-when-idle", "2", "--json"];
        using var replay = Start(["nearline", "replay", "--run", run, "--out", Path.Combine(_directory, "replica-a"), "--redis", redis.Endpoint, "--prefix", Prefix,
            "--rate", "250", "--json"]);
        using (var doomed = Start(Replica()))
        {
            Thread.Sleep(2500);
            Assert.False(doomed.Process.HasExited, "the replica ended before it was killed");
            doomed.Process.Kill(entireProcessTree: true);
            Assert.True(doomed.Process.WaitForExit(TimeSpan.FromSeconds(30)));
        }
        Assert.True(replay.Process.WaitForExit(TimeSpan.FromMinutes(2)), "the replay did not finish");
        replay.Process.WaitForExit();
        Assert.True(replay.Process.ExitCode == 0, $"the replay exited {replay.Process.ExitCode}");
        using (var restarted = Start(Replica()))
        {
            Assert.True(restarted.Process.WaitForExit(TimeSpan.FromMinutes(1)), "the restarted replica did not finish catching up");
            restarted.Process.WaitForExit();
            Assert.True(restarted.Process.ExitCode == 0, $"the restarted replica exited {restarted.Process.ExitCode}");
        }
        var posts = redis.Connection.GetDatabase().HashLength($"{Prefix}posts");
        using var index = DurableIndex.OpenReadOnly(Path.Combine(replicaDirectory, "index"));
        Assert.Equal(posts, index.Count);
        Assert.Equal(0, redis.Connection.GetDatabase().StreamPending($"{Prefix}embeddings", "index:replica-b").PendingMessageCount);
    }

    private sealed record Started(Process Process, System.Text.StringBuilder Output) : IDisposable
    {
        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }
            Process.Dispose();
        }
    }

    private static Started Start(string[] arguments)
    {
        var output = new System.Text.StringBuilder();
        return new Started(CliProcess.StartInBackground(arguments, line => output.Append(line)), output);
    }

    private static List<string> Rows(string folder, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "nearline.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }
        return rows;
    }
}
