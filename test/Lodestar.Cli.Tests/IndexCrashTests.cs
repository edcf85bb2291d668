// A writer killed with SIGKILL loses no acknowledged write: `lodestar index fill` prints a line after each
// batch is durable, the test kills the process after a random number of lines, reopens the folder and finds
// every acknowledged id. Half the trials kill it while it runs on (mid-batch, mid-checkpoint, anywhere); half
// while it pauses right after an acknowledgement, the moment a write that was not yet durable would be lost.
using System.Diagnostics;
using Lodestar.Core;
using Lodestar.Index;

namespace Lodestar.Cli.Tests;

public sealed class IndexCrashTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-index-crash-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void AKilledWriterLosesNoAcknowledgedWrite()
    {
        var random = new SeededRandom(2026);
        for (var trial = 0; trial < 4; trial++)
        {
            var folder = Path.Combine(_directory, $"trial-{trial}");
            var killAfter = 3 + random.NextInt(40);
            var acknowledged = 0L;
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "exec", typeof(Program).Assembly.Location, "index", "fill", "--index", folder, "--dim", "16",
                "--count", "1000000", "--batch", "200", "--checkpoint-every", "7", "--seed", $"{trial}", "--pause-ms", trial % 2 == 0 ? "0" : "200" })
            {
                start.ArgumentList.Add(argument);
            }
            using (var writer = Process.Start(start)!)
            {
                var lines = 0;
                while (lines < killAfter && writer.StandardOutput.ReadLine() is { } line)
                {
                    acknowledged = long.Parse(line["acknowledged ".Length..], System.Globalization.CultureInfo.InvariantCulture);
                    lines++;
                }
                writer.Kill(entireProcessTree: true);
                Assert.True(writer.WaitForExit(TimeSpan.FromSeconds(30)));
                Assert.True(lines == killAfter, $"the writer stopped after {lines} lines: {writer.StandardError.ReadToEnd()}");
            }
            using var reopened = DurableIndex.Open(folder, 16);
            var missing = Enumerable.Range(0, (int)acknowledged).Count(id => !reopened.Index.Contains(id));
            Assert.True(missing == 0, $"trial {trial}: {missing} of {acknowledged} acknowledged ids lost after a kill");
            Assert.InRange(reopened.Index.Count, acknowledged, 1_000_000);
        }
    }
}
