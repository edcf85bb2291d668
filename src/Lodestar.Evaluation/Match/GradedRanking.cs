// NDCG@k with graded relevance (Järvelin & Kekäläinen 2002), gain 2^rel − 1 as in LETOR, for lists
// ranked by a model against true relevance: jobs for a member, members for a job.
namespace Lodestar.Evaluation.Match;

public static class GradedRanking
{
    /// <summary>NDCG@k of items ordered by descending score (ties broken pessimistically: lower relevance first).</summary>
    public static double Ndcg(ReadOnlySpan<double> scores, ReadOnlySpan<double> relevance, int k)
    {
        if (scores.Length != relevance.Length)
        {
            throw new ArgumentException($"NDCG: {scores.Length} scores and {relevance.Length} relevances");
        }
        var s = scores.ToArray();
        var r = relevance.ToArray();
        var order = Enumerable.Range(0, s.Length).OrderByDescending(i => s[i]).ThenBy(i => r[i]).ToArray();
        var ideal = r.OrderDescending().ToArray();
        double dcg = 0, idcg = 0;
        for (var i = 0; i < Math.Min(k, s.Length); i++)
        {
            var discount = 1.0 / Math.Log2(i + 2);
            dcg += (Math.Pow(2, r[order[i]]) - 1) * discount;
            idcg += (Math.Pow(2, ideal[i]) - 1) * discount;
        }
        return idcg == 0 ? 0 : dcg / idcg;
    }

    /// <summary>Mean NDCG@k over groups (e.g. members) of at least minItems items: (group, score, relevance) rows.</summary>
    public static double MeanNdcg<TGroup>(IEnumerable<(TGroup Group, double Score, double Relevance)> rows, int k, int minItems)
        where TGroup : notnull
    {
        var values = rows.GroupBy(r => r.Group).Where(g => g.Count() >= minItems)
            .Select(g => Ndcg(g.Select(x => x.Score).ToArray(), g.Select(x => x.Relevance).ToArray(), k)).ToList();
        return values.Count == 0 ? double.NaN : values.Average();
    }
}
