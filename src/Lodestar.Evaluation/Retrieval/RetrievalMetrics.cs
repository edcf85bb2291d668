// Retrieval quality of one query with several relevant items (a member's engagements of a test day among
// every post alive then): recall@K and NDCG@K with binary gains, averaged over queries overall and per
// history bucket (how many positives the member had before), the cold-start curve of feed retrieval.
namespace Lodestar.Evaluation.Retrieval;

public static class RetrievalMetrics
{
    /// <summary>The recall cut-offs every report carries.</summary>
    public static readonly IReadOnlyList<int> RecallCutoffs = [10, 50, 100, 500];

    /// <summary>The NDCG cut-off.</summary>
    public const int NdcgCutoff = 10;

    /// <summary>The metric keys in report order: recall@10, recall@50, recall@100, recall@500, ndcg@10.</summary>
    public static readonly IReadOnlyList<string> Keys = [.. RecallCutoffs.Select(MetricNames.Recall), MetricNames.Ndcg(NdcgCutoff)];

    /// <summary>History buckets by the member's positives before the day: 0, 1–2, 3–5, 6–20, more than 20.</summary>
    public static readonly IReadOnlyList<(int Min, int Max, string Name)> HistoryBuckets =
        [(0, 0, "history-0"), (1, 2, "history-1-2"), (3, 5, "history-3-5"), (6, 20, "history-6-20"), (21, int.MaxValue, "history-21+")];

    /// <summary>Share of <paramref name="relevant"/> among the first <paramref name="k"/> of <paramref name="ranked"/>.</summary>
    public static double Recall(ReadOnlySpan<long> ranked, IReadOnlySet<long> relevant, int k)
    {
        if (relevant.Count == 0)
        {
            throw new ArgumentException("recall of a query without relevant items is undefined", nameof(relevant));
        }
        var hits = 0;
        foreach (var item in ranked[..Math.Min(k, ranked.Length)])
        {
            hits += relevant.Contains(item) ? 1 : 0;
        }
        return (double)hits / relevant.Count;
    }

    /// <summary>NDCG@k with gain 1 per relevant item: Σ 1/log2(rank + 2) over relevant items in the first k, over the
    /// same sum for the ideal ranking (every relevant item first).</summary>
    public static double Ndcg(ReadOnlySpan<long> ranked, IReadOnlySet<long> relevant, int k)
    {
        if (relevant.Count == 0)
        {
            throw new ArgumentException("NDCG of a query without relevant items is undefined", nameof(relevant));
        }
        double dcg = 0, ideal = 0;
        for (var rank = 0; rank < Math.Min(k, ranked.Length); rank++)
        {
            dcg += relevant.Contains(ranked[rank]) ? 1.0 / Math.Log2(rank + 2) : 0;
        }
        for (var rank = 0; rank < Math.Min(k, relevant.Count); rank++)
        {
            ideal += 1.0 / Math.Log2(rank + 2);
        }
        return dcg / ideal;
    }

    /// <summary>The bucket name of a member with <paramref name="positives"/> earlier engagements.</summary>
    public static string HistoryBucket(int positives) =>
        HistoryBuckets.First(b => positives >= b.Min && positives <= b.Max).Name;
}

/// <summary>Sums per-query metrics and reports their means overall (<see cref="RetrievalMetrics.Keys"/>) and per history
/// bucket (`recall@100/history-1-2`, ...), with how many queries each bucket holds (`queries/history-1-2`).</summary>
public sealed class RetrievalMetricsAccumulator
{
    private readonly double[] _sums = new double[RetrievalMetrics.Keys.Count];
    private readonly Dictionary<string, (double[] Sums, long Queries)> _buckets = new(StringComparer.Ordinal);

    public long Queries { get; private set; }

    /// <summary>Adds one query: its ranking (best first, at least the largest cut-off long when there are that many
    /// candidates), its relevant items and how many positives the member had before.</summary>
    public void Add(ReadOnlySpan<long> ranked, IReadOnlySet<long> relevant, int historyPositives)
    {
        var values = new double[_sums.Length];
        var cutoffs = RetrievalMetrics.RecallCutoffs;
        for (var i = 0; i < cutoffs.Count; i++)
        {
            values[i] = RetrievalMetrics.Recall(ranked, relevant, cutoffs[i]);
        }
        values[^1] = RetrievalMetrics.Ndcg(ranked, relevant, RetrievalMetrics.NdcgCutoff);
        var bucket = RetrievalMetrics.HistoryBucket(historyPositives);
        var (sums, queries) = _buckets.GetValueOrDefault(bucket, (new double[_sums.Length], 0));
        for (var i = 0; i < values.Length; i++)
        {
            _sums[i] += values[i];
            sums[i] += values[i];
        }
        _buckets[bucket] = (sums, queries + 1);
        Queries++;
    }

    /// <summary>Means overall under the plain keys, then per bucket that has queries under `key/bucket`, and each bucket's query count.</summary>
    public IReadOnlyDictionary<string, double> Means()
    {
        var means = new Dictionary<string, double>(StringComparer.Ordinal);
        var keys = RetrievalMetrics.Keys;
        for (var i = 0; i < keys.Count; i++)
        {
            means[keys[i]] = Queries == 0 ? 0 : _sums[i] / Queries;
        }
        foreach (var (_, _, name) in RetrievalMetrics.HistoryBuckets)
        {
            if (_buckets.TryGetValue(name, out var bucket))
            {
                for (var i = 0; i < keys.Count; i++)
                {
                    means[MetricNames.Of(keys[i], name)] = bucket.Sums[i] / bucket.Queries;
                }
                means[MetricNames.Of("queries", name)] = bucket.Queries;
            }
        }
        return means;
    }
}
