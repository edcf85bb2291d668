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
    public void EveryCommandsJsonOutputIsJsonLinesAndNothingElse()
    {
        var world = Path.Combine(_directory, "chain-world");
        var sequences = Path.Combine(_directory, "seq.txt");
        File.WriteAllLines(sequences, Enumerable.Range(1, 30).Select(u => $"{u} " + string.Join(' ', Enumerable.Range(0, 6).Select(i => 1 + ((u * 7 + i) % 13)))));
        var corpus = Path.Combine(_directory, "corpus.txt");
        var tokenizer = Path.Combine(_directory, "tokenizer.json");
        var run = Path.Combine(_directory, "cooc");
        string[][] commands =
        [
            ["world", "generate", "--members", "60", "--days", "2", "--out", world, "--json"],
            ["world", "stats", "--dir", world, "--json"],
            ["policy", "validate", "--json"],
            ["policy", "golden", "--world", world, "--out", Path.Combine(_directory, "golden.jsonl"), "--pairs", "20", "--json"],
            ["policy", "expand", "--world", world, "--out", Path.Combine(_directory, "expand.jsonl"), "--pairs", "20", "--json"],
            ["tokenizer", "train", "--corpus", corpus, "--vocab-size", "600", "--out", tokenizer, "--json"],
            ["tokenizer", "encode", "--tokenizer", tokenizer, "--text", "senior data engineer", "--json"],
            ["prompt", "render", "--world", world, "--tokenizer", tokenizer, "--member", "1", "--json"],
            ["world", "import", "seq", "--input", sequences, "--out", Path.Combine(_directory, "seq-world"), "--json"],
            ["seqrec", "train", "--data", sequences, "--model", "cooc", "--run", run, "--json"],
            ["seqrec", "eval", "--run", run, "--json"],
            ["seqrec", "recommend", "--run", run, "--user", "1", "--json"],
        ];
        foreach (var command in commands)
        {
            if (command[0] == "tokenizer" && command[1] == "train")
            {
                File.WriteAllLines(corpus, File.ReadLines(Path.Combine(world, "members.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("headline").GetString()!));
            }
            var (output, error) = CliProcess.Run(command);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length > 0, $"lodestar {string.Join(' ', command)} printed nothing on stdout; stderr: {error}");
            foreach (var line in lines)
            {
                try
                {
                    using var document = JsonDocument.Parse(line);
                }
                catch (JsonException ex)
                {
                    Assert.Fail($"lodestar {string.Join(' ', command)}: a stdout line is not JSON ({ex.Message}): {line}");
                }
            }
        }
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
