// `lodestar bench index` on a small index of each data set: every figure is filled, the exact search through the
// int8 codes gives the float32 scan's answers one query at a time and in a batch, and a warm search allocates nothing.
using Lodestar.Index;

namespace Lodestar.Bench.Tests;

public sealed class IndexBenchTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryFigureIsFilledAndExactAnswersAgree(bool clustered)
    {
        var result = IndexBench.Run(items: 20_000, dimension: 32, queryCount: 20, k: 10, threads: 1, seed: 3, FlatIndex.DefaultRescore, clustered);
        Assert.Equal(clustered ? "clustered" : "random", result.Data);
        Assert.Equal((0, 0), (result.ExactAnswersDiffering, result.ExactBatchAnswersDiffering));
        Assert.InRange(result.ExactCertifiedFraction, 0, 1);
        Assert.True(result.Int8RecallAtK >= 0.9, $"int8 recall@10 {result.Int8RecallAtK}");
        Assert.Equal(0, result.AllocatedBytesPerSearch);
        Assert.All(new[] { result.SingleQueryP50Ms, result.ExactQueryP50Ms, result.BatchQueriesPerSecond, result.ExactBatchQueriesPerSecond, result.MemoryBandwidthGBs },
            figure => Assert.True(figure > 0 && double.IsFinite(figure)));
    }
}
