// `lodestar bench feed` on a small ranker: every figure is filled and the candidates scored in one pass score as
// they do one by one.
using Lodestar.Models.FeedRanking;

namespace Lodestar.Bench.Tests;

public sealed class FeedBenchTests
{
    [Fact]
    public void EveryFigureIsFilledAndBothScoringsAgree()
    {
        var config = new FeedRankerConfig { MaxHistory = 12, Channels = 16, Heads = 2, FeedForward = 32, Layers = 1, Dropout = 0f, ExpertWidth = 8 };
        var result = FeedBench.Run(config, candidateCount: 9, rounds: 1, batch: 3, steps: 1, threads: 1);
        Assert.True(result.MaxScoreDifference <= 1e-5, $"largest difference {result.MaxScoreDifference}");
        Assert.Equal((12, 9), (result.History, result.Candidates));
        Assert.All(new[] { result.MultiItemMs, result.OneByOneMs, result.SpeedupMedian, result.TrainStepMs, result.TrainTokensPerSecond },
            figure => Assert.True(figure > 0 && double.IsFinite(figure)));
    }
}
