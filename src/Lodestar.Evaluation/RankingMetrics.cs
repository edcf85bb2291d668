// Ranking metrics for one held-out target per user (leave-one-out), under the keys of MetricNames
// (`hr@10`, `ndcg@10`, `mrr`).
namespace Lodestar.Evaluation;

public static class RankingMetrics
{
    /// <summary>The cut-offs every report carries.</summary>
    public static readonly IReadOnlyList<int> Cutoffs = [5, 10, 20];

    /// <summary>The metric keys in report order: hit rates, then NDCGs, then MRR.</summary>
    public static readonly IReadOnlyList<string> Keys =
        [.. Cutoffs.Select(MetricNames.HitRate), .. Cutoffs.Select(MetricNames.Ndcg), MetricNames.Mrr];

    /// <summary>1 when the target is among the first k (0-based rank &lt; k).</summary>
    public static double HitRate(int rank, int k) => rank < k ? 1.0 : 0.0;

    /// <summary>NDCG@k with a single relevant item: the ideal DCG is 1, so NDCG = 1 / log2(rank + 2) inside the cut-off.</summary>
    public static double Ndcg(int rank, int k) => rank < k ? 1.0 / Math.Log2(rank + 2) : 0.0;

    /// <summary>Reciprocal rank over the full ranking (no cut-off), 1 / (rank + 1).</summary>
    public static double ReciprocalRank(int rank) => 1.0 / (rank + 1);
}

/// <summary>Sums per-user metrics from 0-based target ranks and reports their means under <see cref="RankingMetrics.Keys"/>.</summary>
public sealed class RankingMetricsAccumulator
{
    private readonly double[] _sums = new double[RankingMetrics.Keys.Count];

    public long Users { get; private set; }

    /// <summary>Adds one user's 0-based rank of the held-out item.</summary>
    public void Add(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        var cutoffs = RankingMetrics.Cutoffs;
        for (var i = 0; i < cutoffs.Count; i++)
        {
            _sums[i] += RankingMetrics.HitRate(rank, cutoffs[i]);
            _sums[cutoffs.Count + i] += RankingMetrics.Ndcg(rank, cutoffs[i]);
        }
        _sums[^1] += RankingMetrics.ReciprocalRank(rank);
        Users++;
    }

    /// <summary>Adds every sum of another accumulator (per-thread partial results).</summary>
    public void Merge(RankingMetricsAccumulator other)
    {
        for (var i = 0; i < _sums.Length; i++)
        {
            _sums[i] += other._sums[i];
        }
        Users += other.Users;
    }

    /// <summary>Means over the users added so far, keyed and ordered as <see cref="RankingMetrics.Keys"/>.</summary>
    public IReadOnlyDictionary<string, double> Means()
    {
        var means = new Dictionary<string, double>(_sums.Length);
        for (var i = 0; i < _sums.Length; i++)
        {
            means[RankingMetrics.Keys[i]] = Users == 0 ? 0.0 : _sums[i] / Users;
        }
        return means;
    }
}
