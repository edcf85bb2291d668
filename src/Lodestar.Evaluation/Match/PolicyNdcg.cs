// Policy NDCG@10: jobs ranked for each member against the graded overall score the product policy itself
// assigns, beside, never instead of, NDCG against the world's hidden true match.
namespace Lodestar.Evaluation.Match;

/// <summary>
/// For every member with at least <see cref="MinJobsPerMember"/> pairs in the split, rank that member's jobs by the
/// model's score and compute graded NDCG@<see cref="K"/> (GradedRanking: gain 2^rel − 1, discount 1/log2(rank + 1),
/// ties in the model's score broken pessimistically, lower relevance first); rel is the policy's overall score minus
/// the scale minimum (0–4 for the job-matching policy: a weighted mean of the dimension levels, capped by gates, so it
/// need not be an integer). The mean is over members. The policy scorer itself scores exactly 1.0: its ranking is the
/// ideal one, and its own ties are between equal relevances.
/// </summary>
public static class PolicyNdcg
{
    public const int K = 10;

    public const int MinJobsPerMember = 3;

    /// <summary>Mean policy NDCG@10 over members: rows of (member, model score, policy overall score on its scale).</summary>
    public static double MeanOverMembers(IEnumerable<(long Member, double Score, double PolicyOverall)> rows, double scaleMin) =>
        GradedRanking.MeanNdcg(rows.Select(r =>
        {
            if (double.IsNaN(r.PolicyOverall) || r.PolicyOverall < scaleMin)
            {
                throw new ArgumentException($"policy NDCG: member {r.Member} has a policy overall score {r.PolicyOverall} below the scale minimum {scaleMin}");
            }
            return (r.Member, r.Score, r.PolicyOverall - scaleMin);
        }), K, MinJobsPerMember);
}
