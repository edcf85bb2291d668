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
    [InlineData("train", "policy-teacher", "--help")]
    [InlineData("train", "click-teacher", "--help")]
    [InlineData("train", "student", "--help")]
    [InlineData("eval", "match", "--help")]
    [InlineData("match", "score", "--help")]
    [InlineData("model", "import", "--help")]
    [InlineData("model", "extract", "--help")]
    [InlineData("model", "embed", "--help")]
    [InlineData("experiment", "multi-teacher", "--help")]
    [InlineData("quickstart", "--help")]
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
        var savedErr = Console.Error;
        using var captured = new StringWriter();
        Console.SetError(captured);
        try
        {
            Assert.NotEqual(0, Program.Main(["no-such-command"]));
        }
        finally
        {
            Console.SetError(savedErr);
        }
    }
}
