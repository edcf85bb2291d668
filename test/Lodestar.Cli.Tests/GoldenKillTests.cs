// `lodestar policy golden --force` replacing a golden set, killed with SIGKILL at random points (some while the new
// labels are being written), never leaves a torn file or labels beside another set's manifest, and the rerun writes
// exactly what an uninterrupted run writes.
using System.Diagnostics;
using System.Text.Json;
using Lodestar.Core;

namespace Lodestar.Cli.Tests;

public sealed class GoldenKillTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-golden-kill-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void AGoldenSetKilledAtRandomPointsNeverPairsLabelsWithAnotherSetsManifestAndARerunEqualsAnUninterruptedRun()
    {
        var world = Path.Combine(_directory, "world");
        CliProcess.Run("world", "generate", "--out", world, "--members", "30000", "--days", "10", "--seed", "3", "--json");
        string[] Golden(string output, int seed) => ["policy", "golden", "--world", world, "--out", output, "--pairs", "10000", "--seed", $"{seed}", "--force", "--json"];
        var straight = Path.Combine(_directory, "straight.jsonl");
        var clock = Stopwatch.StartNew();
        CliProcess.Run(Golden(straight, 2));
        var straightSeconds = clock.Elapsed.TotalSeconds;
        var golden = Path.Combine(_directory, "golden.jsonl");
        CliProcess.Run(Golden(golden, 1));
        var labelsBySeed = new Dictionary<int, string> { [1] = File.ReadAllText(golden), [2] = File.ReadAllText(straight) };
        Assert.NotEqual(labelsBySeed[1], labelsBySeed[2]);

        var random = new SeededRandom(23);
        var (kills, killsMidWrite) = (0, 0);
        for (var attempt = 0; attempt < 6; attempt++)
        {
            using var process = CliProcess.StartInBackground(Golden(golden, 2));
            // Every other attempt is killed as soon as the new labels' temporary file appears, the others at a random moment.
            var midWrite = attempt % 2 == 1;
            var deadline = TimeSpan.FromSeconds(midWrite ? 120 : straightSeconds * random.NextDouble());
            clock.Restart();
            var writing = false;
            while (!process.HasExited && clock.Elapsed < deadline && !(midWrite && (writing = LabelsBeingWritten(golden))))
            {
                Thread.Sleep(1);
            }
            if (process.HasExited)
            {
                Assert.Equal(0, process.ExitCode);
            }
            else
            {
                process.Kill(entireProcessTree: true);
                Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)));
                kills++;
                killsMidWrite += writing ? 1 : 0;
            }
            // Whole labels of one set, and a manifest only beside its own labels.
            var labels = File.ReadAllText(golden);
            Assert.Contains(labels, labelsBySeed.Values);
            var manifest = FileWithManifest.ManifestPath(golden);
            if (File.Exists(manifest))
            {
                using var document = JsonDocument.Parse(File.ReadAllText(manifest));
                Assert.Equal(labelsBySeed[document.RootElement.GetProperty("config").GetProperty("seed").GetInt32()], labels);
            }
        }
        Assert.True(kills > 0, "every golden run finished before it could be killed");
        Assert.True(killsMidWrite > 0, "no run was killed while it wrote its labels");

        CliProcess.Run(Golden(golden, 2));
        Assert.Equal(labelsBySeed[2], File.ReadAllText(golden));
        Assert.Equal(Manifest(straight), Manifest(golden));
        Assert.Equal(["golden.jsonl", "golden.jsonl.manifest.json", "straight.jsonl", "straight.jsonl.manifest.json", "world"],
            Directory.GetFileSystemEntries(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    private static bool LabelsBeingWritten(string path) =>
        Directory.EnumerateFiles(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.*").Any();

    /// <summary>The manifest without the moment it was written.</summary>
    private static string Manifest(string labels)
    {
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(FileWithManifest.ManifestPath(labels)))!.AsObject();
        Assert.True(manifest.Remove("created_at"));
        return manifest.ToJsonString();
    }
}
