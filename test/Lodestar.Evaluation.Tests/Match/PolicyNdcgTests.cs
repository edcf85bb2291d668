// Policy NDCG@10 on a case computed by hand: gain 2^(overall − scale min) − 1, log2 discount, pessimistic
// ties, members with fewer than three jobs left out, and the policy scorer's own ranking scoring exactly 1.
using Lodestar.Evaluation.Match;

namespace Lodestar.Evaluation.Tests.Match;

public class PolicyNdcgTests
{
    // Overall scores are on a 1–5 scale here so that the scale minimum must be subtracted (relevance 0–4).
    private static readonly (long Member, double Score, double PolicyOverall)[] Rows =
    [
        // Member 1: the model ranks job b (rel 2) above job a (rel 4) above job c (rel 0).
        (1, 0.5, 5), (1, 0.9, 3), (1, 0.1, 1),
        // Member 2: the model ties all three; pessimistic order 1.5, 1.5, 3 (relevance need not be an integer).
        (2, 0.2, 2.5), (2, 0.2, 4), (2, 0.2, 2.5),
        // Member 3: two jobs only, below the three-job minimum: not counted.
        (3, 0.0, 5), (3, 1.0, 1),
    ];

    [Fact]
    public void MatchesTheHandComputedMeanOverMembers()
    {
        // Member 1: DCG = (2²−1)/log2 2 + (2⁴−1)/log2 3 + 0, IDCG = 15 + 3/log2 3.
        var member1 = (3 + (15 / Math.Log2(3))) / (15 + (3 / Math.Log2(3)));
        // Member 2: g = 2^1.5 − 1; DCG = g + g/log2 3 + 7/2, IDCG = 7 + g/log2 3 + g/2.
        var g = Math.Pow(2, 1.5) - 1;
        var member2 = (g + (g / Math.Log2(3)) + 3.5) / (7 + (g / Math.Log2(3)) + (g / 2));
        Assert.Equal(0.737826424707602, member1, 12);
        Assert.Equal(0.714839323510665, member2, 12);
        Assert.Equal((member1 + member2) / 2, PolicyNdcg.MeanOverMembers(Rows, scaleMin: 1), 12);
    }

    [Fact]
    public void ThePolicyScorerItselfIsTheCeiling()
    {
        var byPolicy = Rows.Select(r => (r.Member, r.PolicyOverall, r.PolicyOverall));
        Assert.Equal(1.0, PolicyNdcg.MeanOverMembers(byPolicy, scaleMin: 1), 12);
        var reversed = Rows.Select(r => (r.Member, -r.PolicyOverall, r.PolicyOverall));
        Assert.True(PolicyNdcg.MeanOverMembers(reversed, scaleMin: 1) < 0.7);
    }

    [Fact]
    public void AMissingOrOutOfScalePolicyScoreIsAnError()
    {
        var error = Assert.Throws<ArgumentException>(() => PolicyNdcg.MeanOverMembers([(7, 0.1, double.NaN), (7, 0.2, 2), (7, 0.3, 3)], scaleMin: 0));
        Assert.Contains("member 7", error.Message);
        Assert.Throws<ArgumentException>(() => PolicyNdcg.MeanOverMembers([(7, 0.1, -1), (7, 0.2, 2), (7, 0.3, 3)], scaleMin: 0));
    }
}
