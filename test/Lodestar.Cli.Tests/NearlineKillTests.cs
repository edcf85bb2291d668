// `lodestar nearline replay` killed with SIGKILL at random points and started again on the same directory ends
// with the state of a replay never interrupted: the same counters, histories, profiles and posts, each event in
// the ledger once, the same final prompts, every embedding of its prompt's newest version, every post searchable.
using System.Diagnostics;
using Lodestar.Index;
using Microsoft.Data.Sqlite;

namespace Lodestar.Cli.Tests;

public sealed class NearlineKillTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-nearline-kill-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void AReplayKilledAtRandomPointsEndsAsAnUninterruptedOne()
    {
        var world = Path.Combine(_directory, "world");
        CliProcess.Run("world", "generate", "--out", world, "--members", "200", "--days", "8", "--seed", "5", "--json");
        var config = Path.Combine(_directory, "retrieval.json");
        File.WriteAllText(config, $$"""
            {
              "world": "{{world}}", "tokenizer_vocab": 512, "member_tokens": 64, "post_tokens": 48, "evaluation_examples": 20,
              "data": { "validation_days": 2, "test_days": 2 },
              "model": { "channels": 16, "heads": 2, "feed_forward": 32, "layers": 1, "max_positions": 80 },
              "training": { "epochs": 1, "batch_size": 16 }
            }
            """);
        var run = Path.Combine(_directory, "run");
        CliProcess.Run("retrieval", "train", "--config", config, "--run", run, "--json");
        string[] Replay(string output) => ["nearline", "replay", "--run", run, "--out", Path.Combine(_directory, output), "--rate", "250", "--duplicate-share", "0.05", "--json"];
        CliProcess.Run(Replay("straight"));

        var random = new Lodestar.Core.SeededRandom(3);
        var kills = 0;
        string output = "";
        for (var attempt = 0; attempt < 12 && output.Length == 0; attempt++)
        {
            using var process = Process.Start(CliProcess.StartInfo(Replay("killed")))!;
            var stdout = new System.Text.StringBuilder();
            process.OutputDataReceived += (_, line) => stdout.Append(line.Data);
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
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
