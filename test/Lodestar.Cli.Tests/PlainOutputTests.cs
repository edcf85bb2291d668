// Run as a separate process with its output going to files (as in a log or CI), the command line writes no
// terminal control codes, however capable TERM claims the terminal is, and --json keeps standard output for JSON.
using System.Diagnostics;
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
        var generate = Lodestar("world", "generate", "--members", "300", "--days", "3", "--out", world, "--sqlite");
        var stats = Lodestar("world", "stats", "--dir", world);
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
        var (output, error) = Lodestar("world", "generate", "--members", "200", "--days", "2", "--out", Path.Combine(_directory, "json-world"), "--json");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            using var document = JsonDocument.Parse(line);
        }
        Assert.Contains("simulating days", error, StringComparison.Ordinal);
    }

    /// <summary>Runs lodestar.dll with standard output and error redirected, TERM claiming a colour terminal, CI and NO_COLOR unset.</summary>
    private static (string Output, string Error) Lodestar(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["TERM"] = "xterm-256color";
        start.Environment.Remove("CI");
        start.Environment.Remove("NO_COLOR");
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), $"lodestar {string.Join(' ', arguments)} did not finish");
        Assert.True(process.ExitCode == 0, $"lodestar {string.Join(' ', arguments)} exited {process.ExitCode}: {error.Result}");
        return (output, error.Result);
    }
}
