// Retrieval metrics on hand-computed cases: recall and NDCG with several relevant items, the ideal ranking
// scores 1, and the accumulator's means overall and per history bucket.
using Lodestar.Evaluation.Retrieval;

namespace Lodestar.Evaluation.Tests.Retrieval;

public class RetrievalMetricsTests
{
    [Fact]
    public void RecallAndNdcgMatchHandComputedValues()
    {
        long[] ranked = [5, 9, 2, 7, 1];
        var relevant = new HashSet<long> { 9, 1, 42 };
        Assert.Equal(1.0 / 3, RetrievalMetrics.Recall(ranked, relevant, 2), 12);
        Assert.Equal(2.0 / 3, RetrievalMetrics.Recall(ranked, relevant, 10), 12);
        // Hits at ranks 1 and 4 (0-based); the ideal puts the three relevant items at ranks 0, 1, 2.
        var dcg = (1 / Math.Log2(3)) + (1 / Math.Log2(6));
        var ideal = 1 + (1 / Math.Log2(3)) + (1 / Math.Log2(4));
        Assert.Equal(dcg / ideal, RetrievalMetrics.Ndcg(ranked, relevant, 10), 12);
        Assert.Equal(1.0, RetrievalMetrics.Ndcg([9, 1, 42, 3], relevant, 10), 12);
        Assert.Equal(0.0, RetrievalMetrics.Ndcg([3, 4], relevant, 10), 12);
        Assert.Throws<ArgumentException>(() => RetrievalMetrics.Recall(ranked, new HashSet<long>(), 10));
    }

    [Fact]
    public void TheAccumulatorAveragesOverallAndPerHistoryBucket()
    {
        var accumulator = new RetrievalMetricsAccumulator();
        accumulator.Add([1, 2], new HashSet<long> { 1 }, historyPositives: 0);
        accumulator.Add([2, 1], new HashSet<long> { 1 }, historyPositives: 0);
        accumulator.Add([3, 4], new HashSet<long> { 1 }, historyPositives: 7);
        var means = accumulator.Means();
        Assert.Equal(2.0 / 3, means["recall@10"], 12);
        Assert.Equal(1.0, means["recall@10/history-0"], 12);
        Assert.Equal(0.0, means["recall@10/history-6-20"], 12);
        Assert.Equal((1 + (1 / Math.Log2(3))) / 2, means["ndcg@10/history-0"], 12);
        Assert.Equal(2, means["queries/history-0"]);
        Assert.False(means.ContainsKey("recall@10/history-1-2"));
        Assert.Equal("history-21+", RetrievalMetrics.HistoryBucket(21));
        Assert.Equal("history-1-2", RetrievalMetrics.HistoryBucket(2));
    }
}
