// `lodestar bench embed` on the default retrieval encoder: a positive rate that agrees with the batch time it came
// from, the prompt shape it was asked for, and a prompt longer than the encoder's positions refused by name.
namespace Lodestar.Bench.Tests;

public sealed class EmbedBenchTests
{
    [Fact]
    public void TheRateComesFromTheBatchTime()
    {
        var model = EmbedBench.DefaultEncoder();
        var result = EmbedBench.Run(model, "default", tokens: 32, batch: 8, threads: 1, TimeSpan.FromMilliseconds(200));
        Assert.Equal((32, 8, model.ParameterCount), (result.Tokens, result.Batch, result.Parameters));
        Assert.True(result.PromptsPerSecond > 0);
        Assert.Equal(8 / (result.MedianBatchMs / 1e3), result.PromptsPerSecond, 6);
        Assert.Equal(result.PromptsPerSecond * 32, result.TokensPerSecond, 6);
        var error = Assert.Throws<ArgumentException>(() => EmbedBench.Run(model, "default", tokens: model.Config.MaxPositions + 1, batch: 1, threads: 1, TimeSpan.FromMilliseconds(10)));
        Assert.Contains("positions", error.Message, StringComparison.Ordinal);
    }
}
