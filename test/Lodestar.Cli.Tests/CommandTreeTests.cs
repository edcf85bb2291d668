// The `lodestar` command tree: every command answers --help, and failures become exit codes, not crashes.
namespace Lodestar.Cli.Tests;

public class CommandTreeTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("bench", "--help")]
    [InlineData("world", "--help")]
    [InlineData("tokenizer", "--help")]
    [InlineData("prompt", "--help")]
    [InlineData("policy", "--help")]
    [InlineData("match", "train", "policy-teacher", "--help")]
    [InlineData("match", "train", "click-teacher", "--help")]
    [InlineData("match", "train", "student", "--help")]
    [InlineData("match", "eval", "--help")]
    [InlineData("match", "experiment", "--help")]
    [InlineData("match", "score", "--help")]
    [InlineData("match", "first-stage", "--help")]
    [InlineData("seqrec", "train", "--help")]
    [InlineData("seqrec", "eval", "--help")]
    [InlineData("seqrec", "recommend", "--help")]
    [InlineData("seqrec", "experiment", "--help")]
    [InlineData("retrieval", "train", "--help")]
    [InlineData("retrieval", "experiment", "--help")]
    [InlineData("retrieval", "eval", "--help")]
    [InlineData("feed", "train", "--help")]
    [InlineData("feed", "eval", "--help")]
    [InlineData("feed", "score", "--help")]
    [InlineData("feed", "experiment", "--help")]
    [InlineData("audit", "fairness", "--help")]
    [InlineData("compress", "precision", "--help")]
    [InlineData("compress", "experiment", "--help")]
    [InlineData("compress", "prune", "--help")]
    [InlineData("compress", "quantize", "--help")]
    [InlineData("bench", "match", "--help")]
    [InlineData("bench", "seqrec", "--help")]
    [InlineData("bench", "embed", "--help")]
    [InlineData("model", "import", "--help")]
    [InlineData("model", "extract", "--help")]
    [InlineData("model", "embed", "--help")]
    [InlineData("export", "onnx", "--help")]
    [InlineData("quickstart", "--help")]
    [InlineData("nearline", "replay", "--help")]
    [InlineData("nearline", "worker", "--help")]
    public void EveryCommandAnswersHelp(params string[] args)
    {
        var saved = Console.Out;
        using var captured = new StringWriter();
        Console.SetOut(captured);
        try
        {
            Assert.Equal(0, Program.Main(args));
        }
        finally
        {
            Console.SetOut(saved);
        }
        Assert.Contains("Usage:", captured.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownCommandIsAUsageErrorNotACrash()
    {
        Assert.Equal(2, RunCapturingError(["no-such-command"]).Code);
    }

    [Theory]
    [InlineData("--member: 'abc' is not a whole number", "match", "score", "--run", "r", "--member", "abc", "--json")]
    [InlineData("--seconds: 'fast' is not a number", "bench", "serve", "--world", "w", "--qps", "10", "--seconds", "fast", "--json")]
    [InlineData("unknown option '--bogus'", "policy", "validate", "--bogus")]
    [InlineData("unknown option '--membr'", "match", "score", "--run", "r", "--membr", "4", "--member", "4", "--json")]
    [InlineData("'--run' is required", "match", "score", "--member", "4", "--json")]
    public void AUsageErrorIsOneLinePerProblemOnStderrWithNothingOnStdoutAndExitsWithTwo(string expected, params string[] args)
    {
        var (savedOut, savedErr) = (Console.Out, Console.Error);
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        int code;
        try
        {
            code = Program.Main(args);
        }
        finally
        {
            Console.SetOut(savedOut);
            Console.SetError(savedErr);
        }
        Assert.Equal(2, code);
        Assert.Equal("", output.ToString());
        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains(expected, StringComparison.Ordinal));
        Assert.All(lines, l => Assert.StartsWith($"lodestar {args[0]} {args[1]}: ", l, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("System.", StringComparison.Ordinal));
    }

    [Fact]
    public void AnAblationWhoseArmsEndAtDifferentSizesIsRefusedBeforeAnyTraining()
    {
        var directory = Directory.CreateTempSubdirectory("lodestar-compress-").FullName;
        try
        {
            var config = Path.Combine(directory, "chain.json");
            var world = Path.Combine(directory, "world");
            File.WriteAllText(config, $$"""
                {
                  "student": { "world": "{{world}}", "runs_directory": "{{Path.Combine(directory, "runs")}}" },
                  "arms": [
                    { "name": "direct", "stages": [ { "model": { "channels": 16, "heads": 2, "feed_forward": 32, "layers": 1 }, "epochs": 2 } ] },
                    { "name": "gradual", "stages": [ { "model": { "channels": 24, "heads": 2, "feed_forward": 48, "layers": 1 }, "epochs": 1 },
                                                     { "model": { "channels": 24, "heads": 2, "feed_forward": 48, "layers": 1 }, "epochs": 1 } ] }
                  ]
                }
                """);
            var (code, error) = RunCapturingError(["compress", "experiment", "--config", config, "--json"]);
            Assert.Equal(1, code);
            Assert.Contains("arm 'gradual' ends at another student size than arm 'direct'", error, StringComparison.Ordinal);
            Assert.False(Directory.Exists(world), "the world was generated before the config was checked");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static (int Code, string Error) RunCapturingError(string[] args)
    {
        var savedErr = Console.Error;
        using var captured = new StringWriter();
        Console.SetError(captured);
        try
        {
            return (Program.Main(args), captured.ToString());
        }
        finally
        {
            Console.SetError(savedErr);
        }
    }

    [Theory]
    [InlineData("lodestar match train", "train", "student", "--config", "c.json")]
    [InlineData("lodestar match eval", "eval", "match", "--run", "runs")]
    [InlineData("lodestar bench match", "eval", "match-speed")]
    [InlineData("lodestar match experiment", "experiment", "multi-teacher", "--config", "c.json")]
    [InlineData("lodestar bench seqrec", "seqrec", "bench", "--run", "r")]
    public void AMovedCommandNamesItsNewSpellingAndExitsWithTwo(string moved, params string[] args)
    {
        var (code, error) = RunCapturingError(args);
        Assert.Equal(2, code);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"is now `{moved}`", line, StringComparison.Ordinal);
    }
}
