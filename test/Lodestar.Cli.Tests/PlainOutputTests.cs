// Run as a separate process with its output going to files (as in a log or CI), the command line writes no
// terminal control codes, however capable TERM claims the terminal is, and --json keeps standard output for JSON.
using System.Text.Json;

namespace Lodestar.Cli.Tests;

public sealed class PlainOutputTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-plain-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ARedirectedRunWritesTablesAndProgressWithoutEscapeCodes()
    {
        var world = Path.Combine(_directory, "world");
        var generate = CliProcess.Run("world", "generate", "--members", "300", "--days", "3", "--out", world, "--sqlite");
        var stats = CliProcess.Run("world", "stats", "--dir", world);
        foreach (var (output, error) in new[] { generate, stats })
        {
            Assert.DoesNotContain('\u001b', output);
            Assert.DoesNotContain('\u001b', error);
        }
        Assert.Contains("members.jsonl", generate.Output, StringComparison.Ordinal);
        Assert.Contains("members.jsonl: 100% (300/300)", generate.Error, StringComparison.Ordinal);
        Assert.Contains("simulating days: 100% (3/3)", generate.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void WithJsonStandardOutputHoldsOnlyJson()
    {
        var (output, error) = CliProcess.Run("world", "generate", "--members", "200", "--days", "2", "--out", Path.Combine(_directory, "json-world"), "--json");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            using var document = JsonDocument.Parse(line);
        }
        Assert.Contains("simulating days", error, StringComparison.Ordinal);
    }
}
