// `lodestar bench feed` on a small ranker: every figure is filled, the candidates scored in one pass score as they
// do one by one, and several history lengths make a cost report that reads cleanly in Chromium.
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

    [Fact]
    public async Task SeveralHistoryLengthsMakeACostReportWithItsNumbersBeside()
    {
        var results = new[] { 8, 24, 16 }.Select(history => FeedBench.Run(
            new FeedRankerConfig { MaxHistory = history, Channels = 16, Heads = 2, FeedForward = 32, Layers = 1, Dropout = 0f, ExpertWidth = 8 },
            candidateCount: 9, rounds: 1, batch: 3, steps: 1, threads: 1)).ToList();
        var directory = Directory.CreateTempSubdirectory("lodestar-feed-bench-").FullName;
        try
        {
            var path = Path.Combine(directory, "cost.html");
            FeedBench.WriteReport(path, results);
            var html = File.ReadAllText(path);
            Assert.Contains("Scoring one member", html, StringComparison.Ordinal);
            Assert.Contains("Training throughput", html, StringComparison.Ordinal);
            using var numbers = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(path, ".json")));
            Assert.Equal([8, 16, 24], numbers.RootElement.EnumerateArray().Select(r => r.GetProperty("history").GetInt32()));
            Assert.Empty(await Lodestar.TestSupport.ReportInChromium.Problems(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
