// Commands own their --out: a failed import leaves the world that was there, a second import replaces the first whole
// (no file of a generated world, truth/ included, survives under an imported one), a directory that is not a world is
// refused untouched, a result already at the output is replaced only with --force, a second writer of the same output
// is refused at once while the first holds it, and a generate
// killed half-way leaves the previous world, after which a rerun writes exactly what an uninterrupted run writes.
using System.Diagnostics;
using Lodestar.Core;

namespace Lodestar.Cli.Tests;

public sealed class OutputOwnershipTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-world-out-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string File(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void AFailedImportLeavesTheWorldThatWasThereAndASecondReplacesTheFirstWhole()
    {
        var world = Path.Combine(_directory, "w");
        CliProcess.Run("world", "generate", "--out", world, "--members", "40", "--days", "2", "--json");
        Assert.True(Directory.Exists(Path.Combine(world, "truth")));
        var members = System.IO.File.ReadAllText(Path.Combine(world, "members.jsonl"));

        var error = CliProcess.Fail("world", "import", "seq", "--input", File("bad.txt", "1 1 2\n2 x 3\n"), "--out", world, "--force");
        Assert.Contains("bad.txt:2", error, StringComparison.Ordinal);
        Assert.Equal(members, System.IO.File.ReadAllText(Path.Combine(world, "members.jsonl")));
        Assert.True(Directory.Exists(Path.Combine(world, "truth")));

        CliProcess.Run("world", "import", "seq", "--input", File("good.txt", "1 1 2 3\n2 2 3 4\n"), "--out", world, "--force", "--json");
        Assert.Equal(["item_interactions.jsonl", "manifest.json"], Directory.GetFileSystemEntries(world).Select(Path.GetFileName).Order());
        Assert.Equal([world], Directory.GetFileSystemEntries(_directory).Where(e => Directory.Exists(e)));
    }

    [Fact]
    public void ADirectoryThatIsNotAWorldIsRefusedUntouched()
    {
        var mine = Directory.CreateDirectory(Path.Combine(_directory, "mine")).FullName;
        System.IO.File.WriteAllText(Path.Combine(mine, "notes.txt"), "keep me");
        var error = CliProcess.Fail("world", "import", "seq", "--input", File("good.txt", "1 1 2 3\n"), "--out", mine);
        Assert.Contains("holds no manifest.json", error, StringComparison.Ordinal);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(mine).Select(Path.GetFileName));
    }

    [Fact]
    public void ASecondWriterOfAnOutputIsRefusedAtOnce()
    {
        var world = Path.Combine(_directory, "w");
        CliProcess.Run("world", "generate", "--out", world, "--members", "40", "--days", "2", "--json");
        var labels = Path.Combine(_directory, "labels.jsonl");
        using (OutputLock.Acquire(labels))
        {
            var error = CliProcess.Fail("policy", "expand", "--world", world, "--out", labels, "--pairs", "20");
            Assert.Contains("another command is writing it", error, StringComparison.Ordinal);
            Assert.False(System.IO.File.Exists(labels + ".partial.jsonl"));
        }
        using (OutputLock.Acquire(world))
        {
            Assert.Contains("another command is writing it", CliProcess.Fail("world", "generate", "--out", world, "--members", "40", "--days", "2"), StringComparison.Ordinal);
        }
        CliProcess.Run("policy", "expand", "--world", world, "--out", labels, "--pairs", "20", "--json");
        Assert.False(System.IO.File.Exists(OutputLock.PathOf(labels)));
    }

    [Fact]
    public void AResultAlreadyAtTheOutputIsReplacedOnlyWithForce()
    {
        var world = Path.Combine(_directory, "w");
        string[] Generate(int seed) => ["world", "generate", "--out", world, "--members", "40", "--days", "2", "--seed", $"{seed}", "--json"];
        CliProcess.Run(Generate(1));
        var first = Snapshot(world);
        Assert.Contains("pass --force to replace it", CliProcess.Fail(Generate(2)), StringComparison.Ordinal);
        Assert.Contains("pass --force to replace it", CliProcess.Fail("world", "import", "seq", "--input", File("good.txt", "1 1 2 3\n"), "--out", world), StringComparison.Ordinal);
        Assert.Equal(first, Snapshot(world));
        CliProcess.Run([.. Generate(2), "--force"]);
        Assert.NotEqual(first, Snapshot(world));

        foreach (var command in new[] { "golden", "expand" })
        {
            var labels = Path.Combine(_directory, $"{command}.jsonl");
            string[] Write(params string[] more) => ["policy", command, "--world", world, "--out", labels, "--pairs", "20", .. more, "--json"];
            CliProcess.Run(Write("--seed", "1"));
            var (data, manifest) = (System.IO.File.ReadAllText(labels), System.IO.File.ReadAllText(FileWithManifest.ManifestPath(labels)));
            Assert.Contains("pass --force to replace it", CliProcess.Fail(Write("--seed", "2")), StringComparison.Ordinal);
            Assert.Equal((data, manifest), (System.IO.File.ReadAllText(labels), System.IO.File.ReadAllText(FileWithManifest.ManifestPath(labels))));
            CliProcess.Run(Write("--seed", "2", "--force"));
            Assert.NotEqual(data, System.IO.File.ReadAllText(labels));
        }
    }

    [Fact]
    public void AGenerateKilledHalfWayLeavesThePreviousWorldAndARerunEqualsAnUninterruptedRun()
    {
        var world = Path.Combine(_directory, "w");
        var straight = Path.Combine(_directory, "straight");
        string[] Generate(string output) => ["world", "generate", "--out", output, "--members", "3000", "--days", "6", "--seed", "9", "--threads", "1", "--force", "--json"];
        CliProcess.Run("world", "generate", "--out", world, "--members", "40", "--days", "2", "--seed", "1", "--json");
        var before = Snapshot(world);
        CliProcess.Run(Generate(straight));

        using (var process = CliProcess.StartInBackground(Generate(world)))
        {
            // Killed once the new world's members are being written beside the old one.
            CliProcess.KillWhen(process, () => System.IO.File.Exists(Path.Combine(world + ".partial", "members.jsonl")), "world generate finished before it could be killed half-way");
        }
        Assert.Equal(before, Snapshot(world));

        CliProcess.Run(Generate(world));
        Assert.Equal(Snapshot(straight), Snapshot(world));
        Assert.False(Directory.Exists(world + ".partial"));
    }

    [Fact]
    public void AnImportKilledAtRandomPointsLeavesThePreviousDataAndARerunEqualsAnUninterruptedRun()
    {
        var random = new Lodestar.Core.SeededRandom(17);
        var input = Path.Combine(_directory, "sequences.txt");
        System.IO.File.WriteAllLines(input, Enumerable.Range(1, 120_000).Select(u => $"{u} {string.Join(' ', Enumerable.Range(0, 3 + random.NextInt(8)).Select(_ => 1 + random.NextInt(4000)))}"));
        var small = Path.Combine(_directory, "small.txt");
        System.IO.File.WriteAllLines(small, ["1 5 6 7", "2 7 8 9"]);
        var data = Path.Combine(_directory, "imported");
        var straight = Path.Combine(_directory, "imported-straight");
        string[] Import(string file, string output) => ["world", "import", "seq", "--input", file, "--out", output, "--sqlite", "--force", "--json"];
        CliProcess.Run(Import(small, data));
        var before = Snapshot(data);
        CliProcess.Run(Import(input, straight));

        var kills = 0;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var process = CliProcess.StartInBackground(Import(input, data));
            if (process.WaitForExit(TimeSpan.FromMilliseconds(300 + random.NextInt(2500))))
            {
                break;
            }
            process.Kill(entireProcessTree: true);
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)));
            kills++;
            Assert.Equal(before, Snapshot(data));
        }
        Assert.True(kills > 0, "every import finished before it could be killed");

        CliProcess.Run(Import(input, data));
        Assert.Equal(Snapshot(straight), Snapshot(data));
        Assert.False(Directory.Exists(data + ".partial"));
    }

    /// <summary>Every file of a world by relative path with its SHA-256, except the manifest's run-specific parameters.</summary>
    private static Dictionary<string, string> Snapshot(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "manifest.json")
            .ToDictionary(f => Path.GetRelativePath(directory, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.IO.File.ReadAllBytes(f))));
}
