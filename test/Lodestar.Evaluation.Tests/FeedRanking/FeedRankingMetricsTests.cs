// The feed ranker's figures on hand-made scores: AUC and log loss per task, a task without both classes left out
// of the mean, and the cold-start buckets holding exactly their members' impressions.
using Lodestar.Evaluation.FeedRanking;
using Lodestar.Models.FeedRanking;

namespace Lodestar.Evaluation.Tests.FeedRanking;

public sealed class FeedRankingMetricsTests
{
    /// <summary>Six probabilities: p for click, 1 − p for skip, 0.5 for the rest.</summary>
    private static float[] Row(float p) => [p, 1 - p, 0.5f, 0.5f, 0.5f, 0.5f];

    [Fact]
    public void AucAndLogLossPerTaskAndByHistory()
    {
        var metrics = new FeedRankingMetrics();
        var click = FeedTasks.ActionSet(click: true, skip: false, longDwell: false, like: false, comment: false, share: false);
        var skip = FeedTasks.ActionSet(click: false, skip: true, longDwell: false, like: false, comment: false, share: false);
        // A member with no history: clicks ranked perfectly. One with 30 impressions before: ranked backwards.
        metrics.Add([.. Row(0.9f), .. Row(0.2f)], [click, skip], history: 0);
        metrics.Add([.. Row(0.3f), .. Row(0.8f)], [click, skip], history: 30);
        var figures = metrics.Figures();
        Assert.Equal(4, figures["impressions"]);
        // Clicks 0.9 and 0.3 against non-clicks 0.2 and 0.8: 3 of 4 pairs in order.
        Assert.Equal(0.75, figures[MetricNames.Auc("click")], 12);
        Assert.Equal(0.75, figures[MetricNames.Auc("skip")], 12);
        // Long dwell, like, comment and share never happen: no AUC, and the mean is over click and skip.
        Assert.False(figures.ContainsKey(MetricNames.Auc("like")));
        Assert.Equal(0.75, figures[FeedRankingMetrics.MeanAuc], 12);
        var clickLoss = -(Math.Log(0.9) + Math.Log(1 - 0.2) + Math.Log(0.3) + Math.Log(1 - 0.8)) / 4;
        Assert.Equal(clickLoss, figures[FeedRankingMetrics.LogLoss("click")], 6);
        Assert.Equal(Math.Log(2), figures[FeedRankingMetrics.LogLoss("share")], 6);
        Assert.Equal(1.0, figures[MetricNames.Of(FeedRankingMetrics.MeanAuc, "history-0")], 12);
        Assert.Equal(0.0, figures[MetricNames.Of(FeedRankingMetrics.MeanAuc, "history-21-100")], 12);
        Assert.Equal(2, figures[MetricNames.Of("impressions", "history-21-100")]);
        Assert.Equal(0, figures[MetricNames.Of("impressions", "history-101+")]);
        Assert.False(figures.ContainsKey(MetricNames.Of(FeedRankingMetrics.MeanAuc, "history-101+")));
    }

    [Fact]
    public void ProbabilitiesMustCoverEveryTaskOfEveryImpression()
    {
        var error = Assert.Throws<ArgumentException>(() => new FeedRankingMetrics().Add(new float[7], [0, 0], history: 0));
        Assert.Contains("2 impressions need 12 probabilities, got 7", error.Message, StringComparison.Ordinal);
    }
}
