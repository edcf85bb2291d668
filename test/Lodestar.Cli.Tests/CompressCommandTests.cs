// `lodestar compress prune` and `quantize` on a trained tiny run: each prints its table (the captions hold brackets and
// paths, which the console must print as text) and exits 0, and --json prints one JSON document and nothing else.
using System.Text.Json;
using Lodestar.Models.JobMatching;
using Lodestar.Training.JobMatching;
using Lodestar.Training.Tests.JobMatching;

namespace Lodestar.Cli.Tests;

public class CompressCommandTests(TinyMatchWorld world) : IClassFixture<TinyMatchWorld>
{
    [Fact]
    public void PruneAndQuantizePrintTheirTablesAndJson()
    {
        var config = world.In("compress-cli").WithTraining(t => t with { Epochs = 1 }) with
        {
            Model = new MatchModelConfig { Channels = 16, Heads = 4, FeedForward = 32, Layers = 2, MaxTokens = 48 },
        };
        new MatchTrainer(MatchRole.PolicyTeacher, config, world.Data).Train();
        var run = config.RunDirectory(MatchRole.PolicyTeacher);

        var (code, output) = Run(["compress", "prune", "--run", run, "--heads", "2", "--channels", "8", "--out", Path.Combine(world.Root, "cli-pruned")]);
        Assert.Equal(0, code);
        Assert.Contains("removed blocks []", output, StringComparison.Ordinal);
        Assert.Contains("\"init_from\"", output, StringComparison.Ordinal);

        (code, output) = Run(["compress", "quantize", "--run", run, "--out", Path.Combine(world.Root, "cli-int8")]);
        Assert.Equal(0, code);
        Assert.Contains("int8 body", output, StringComparison.Ordinal);

        (code, output) = Run(["compress", "quantize", "--run", run, "--precision", "bf16", "--out", Path.Combine(world.Root, "cli-bf16"), "--json"]);
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("bf16", json.RootElement.GetProperty("precision").GetString());
    }

    private static (int Code, string Output) Run(string[] args)
    {
        var saved = Console.Out;
        using var captured = new StringWriter();
        Console.SetOut(captured);
        try
        {
            return (Program.Main(args), captured.ToString());
        }
        finally
        {
            Console.SetOut(saved);
        }
    }
}
