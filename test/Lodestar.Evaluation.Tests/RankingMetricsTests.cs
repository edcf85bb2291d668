// Ranking metrics against cases computed by hand: single-target HR, NDCG and MRR at known ranks.
using Lodestar.Evaluation;

namespace Lodestar.Evaluation.Tests;

public class RankingMetricsTests
{
    [Fact]
    public void KeysAreExplicitAndOrdered()
    {
        Assert.Equal(["hr@5", "hr@10", "hr@20", "ndcg@5", "ndcg@10", "ndcg@20", "mrr"], RankingMetrics.Keys);
    }

    [Fact]
    public void TopRankScoresOneEverywhere()
    {
        var acc = new RankingMetricsAccumulator();
        acc.Add(0);
        Assert.All(acc.Means().Values, v => Assert.Equal(1.0, v, 12));
    }

    [Fact]
    public void HandComputedMixOfRanks()
    {
        // Ranks 0, 2, 7, 15, 40 for five users.
        //   hr@5  = {0,2} -> 2/5; hr@10 = {0,2,7} -> 3/5; hr@20 = {0,2,7,15} -> 4/5
        //   ndcg  = 1/log2(r+2): r=0 -> 1, r=2 -> 1/2, r=7 -> 1/log2(9), r=15 -> 1/log2(17)
        //   mrr   = (1 + 1/3 + 1/8 + 1/16 + 1/41) / 5
        var acc = new RankingMetricsAccumulator();
        foreach (var r in new[] { 0, 2, 7, 15, 40 })
        {
            acc.Add(r);
        }
        var m = acc.Means();
        Assert.Equal(0.4, m["hr@5"], 12);
        Assert.Equal(0.6, m["hr@10"], 12);
        Assert.Equal(0.8, m["hr@20"], 12);
        Assert.Equal((1 + 0.5) / 5, m["ndcg@5"], 12);
        Assert.Equal((1 + 0.5 + (1 / Math.Log2(9))) / 5, m["ndcg@10"], 12);
        Assert.Equal((1 + 0.5 + (1 / Math.Log2(9)) + (1 / Math.Log2(17))) / 5, m["ndcg@20"], 12);
        Assert.Equal((1 + (1.0 / 3) + (1.0 / 8) + (1.0 / 16) + (1.0 / 41)) / 5, m["mrr"], 12);
        Assert.Equal(5, acc.Users);
    }

    [Fact]
    public void CutoffIsExclusiveOfRankK()
    {
        // 0-based rank 10 is the 11th place: outside the top 10, inside the top 20.
        Assert.Equal(0.0, RankingMetrics.HitRate(10, 10));
        Assert.Equal(1.0, RankingMetrics.HitRate(9, 10));
        Assert.Equal(0.0, RankingMetrics.Ndcg(10, 10));
        Assert.Equal(1 / Math.Log2(12), RankingMetrics.Ndcg(10, 20), 12);
    }

    [Fact]
    public void MergeEqualsAddingEverythingToOne()
    {
        var a = new RankingMetricsAccumulator();
        var b = new RankingMetricsAccumulator();
        var all = new RankingMetricsAccumulator();
        for (var r = 0; r < 30; r++)
        {
            (r % 2 == 0 ? a : b).Add(r);
            all.Add(r);
        }
        a.Merge(b);
        Assert.Equal(all.Users, a.Users);
        foreach (var key in RankingMetrics.Keys)
        {
            Assert.Equal(all.Means()[key], a.Means()[key], 12);
        }
    }

    [Fact]
    public void NegativeRankIsRejected() => Assert.Throws<ArgumentOutOfRangeException>(() => new RankingMetricsAccumulator().Add(-1));
}
