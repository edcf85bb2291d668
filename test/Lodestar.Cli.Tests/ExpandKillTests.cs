// `lodestar policy expand` killed with SIGKILL at random points while it labels, and run again on the same --out each
// time, ends with exactly the training set an uninterrupted run writes: every planned pair once, the same labels (all
// but the time each was labelled).
using System.Diagnostics;

namespace Lodestar.Cli.Tests;

public sealed class ExpandKillTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-expand-kill-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    [Trait("Category", "Slow")]
    public void AnExpandKilledAtRandomPointsEndsAsAnUninterruptedOne()
    {
        var world = Path.Combine(_directory, "world");
        CliProcess.Run("world", "generate", "--out", world, "--members", "1500", "--days", "2", "--seed", "3", "--json");
        const int Pairs = 100_000;
        string[] Expand(string output) => ["policy", "expand", "--world", world, "--out", output, "--pairs", $"{Pairs}", "--seed", "5", "--json"];
        var straight = Path.Combine(_directory, "straight.jsonl");
        CliProcess.Run(Expand(straight));

        var killed = Path.Combine(_directory, "killed.jsonl");
        var checkpoint = killed + ".partial.jsonl";
        var random = new Lodestar.Core.SeededRandom(11);
        var kills = 0;
        string? output = null;
        for (var attempt = 0; attempt < 4 && output is null; attempt++)
        {
            // Killed once the checkpoint holds a random share of the labels (each line is a labelled pair).
            var threshold = (long)(new FileInfo(straight).Length * (0.1 + (0.8 * random.NextDouble())));
            var stdout = new System.Text.StringBuilder();
            using var process = CliProcess.StartInBackground(Expand(killed), line => stdout.Append(line));
            var clock = Stopwatch.StartNew();
            while (!process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2) && (!File.Exists(checkpoint) || new FileInfo(checkpoint).Length < threshold))
            {
                Thread.Sleep(1);
            }
            if (process.HasExited)
            {
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, $"policy expand exited {process.ExitCode}");
                output = stdout.ToString();
                break;
            }
            process.Kill(entireProcessTree: true);
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)));
            kills++;
        }
        Assert.True(kills >= 1, "no run was killed while it labelled");
        output ??= CliProcess.Run(Expand(killed)).Output;
        using var summary = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal(Pairs, summary.RootElement.GetProperty("pairs").GetInt32());
        Assert.False(File.Exists(checkpoint), "the checkpoint was left behind");
        var expected = Labels(straight);
        var actual = Labels(killed);
        Assert.Equal(Pairs, expected.Count);
        Assert.Equal(expected, actual);
    }

    /// <summary>The file's lines without their labeled_at time (when the pair was labelled, which differs run to run), sorted.</summary>
    private static List<string> Labels(string path) =>
        [.. File.ReadLines(path).Select(line =>
        {
            var label = System.Text.Json.Nodes.JsonNode.Parse(line)!.AsObject();
            Assert.True(label.Remove("labeled_at"), $"{path}: a line without labeled_at");
            return label.ToJsonString();
        }).Order(StringComparer.Ordinal)];
}
