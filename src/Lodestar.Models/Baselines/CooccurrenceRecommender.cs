// Item-to-item co-occurrence: "people who had item a next had item b". The last few history items vote
// for what followed them in training sequences; with RecentItems = 1 it is the classic last-item
// transition baseline (a first-order Markov chain, as in FPMC's MC part, Rendle et al. WWW 2010).
using Lodestar.Core;
namespace Lodestar.Models.Baselines;

public sealed record CooccurrenceConfig
{
    // Defaults were picked by validation NDCG@10 on Amazon Beauty over window {1,3,5} × recent items {1,3,5}
    // × backward weight {0, 0.5} × recency decay {0.3, 0.6}; the spread among the top ten was under 0.001.

    /// <summary>How many following items count as co-occurring with an item. Default 5.</summary>
    public int Window { get; init; } = 5;

    /// <summary>Weight of a pair d positions apart is DistanceDecay^(d-1). Default 0.5.</summary>
    public double DistanceDecay { get; init; } = 0.5;

    /// <summary>Also count pairs backwards (b before a), down-weighted by this factor; 0 keeps pairs directed. Default 0.</summary>
    public double BackwardWeight { get; init; }

    /// <summary>How many of the most recent history items vote. 1 = last-item transitions. Default 5.</summary>
    public int RecentItems { get; init; } = 5;

    /// <summary>The i-th most recent item (0-based) votes with weight RecencyDecay^i. Default 0.3.</summary>
    public double RecencyDecay { get; init; } = 0.3;

    /// <summary>Weight of normalised popularity (count / max count) added to every score; breaks ties among
    /// items no recent item points to. Default 1e-3.</summary>
    public double PopularityPrior { get; init; } = 1e-3;

    public void Validate()
    {
        this.Require(Window >= 1, Window, "must be at least 1");
        this.Require(DistanceDecay is > 0 and <= 1, DistanceDecay, "must be in (0, 1]");
        this.Require(BackwardWeight is >= 0 and <= 1, BackwardWeight, "must be in [0, 1]");
        this.Require(RecentItems >= 1, RecentItems, "must be at least 1");
        this.Require(RecencyDecay is > 0 and <= 1, RecencyDecay, "must be in (0, 1]");
        this.Require(PopularityPrior >= 0, PopularityPrior, "must not be negative");
    }
}

public sealed class CooccurrenceRecommender : ISequenceRecommender
{
    // Row a of the co-occurrence matrix in CSR form: _neighbours/_weights[_rowStart[a] .. _rowStart[a + 1]).
    private readonly int[] _rowStart;
    private readonly int[] _neighbours;
    private readonly float[] _weights;
    private readonly float[] _prior;
    private readonly CooccurrenceConfig _config;

    private CooccurrenceRecommender(CooccurrenceConfig config, int[] rowStart, int[] neighbours, float[] weights, float[] prior)
    {
        _config = config;
        _rowStart = rowStart;
        _neighbours = neighbours;
        _weights = weights;
        _prior = prior;
    }

    public int ItemCount => _prior.Length - 1;

    /// <summary>Number of stored (item, following item) pairs.</summary>
    public int PairCount => _neighbours.Length;

    /// <summary>Counts weighted pairs over <paramref name="trainingSequences"/> and row-normalises them, so
    /// each row is P(b follows | a) under the window weights.</summary>
    public static CooccurrenceRecommender Fit(IReadOnlyList<ReadOnlyMemory<int>> trainingSequences, int itemCount, CooccurrenceConfig config)
    {
        config.Validate();
        var popularity = MostPopularRecommender.ItemCounts(trainingSequences, itemCount);
        var pairs = new Dictionary<long, double>();
        void AddPair(int a, int b, double w)
        {
            var key = ((long)a * (itemCount + 1)) + b;
            pairs[key] = pairs.GetValueOrDefault(key) + w;
        }
        foreach (var memory in trainingSequences)
        {
            var sequence = memory.Span;
            for (var i = 0; i < sequence.Length; i++)
            {
                var weight = 1.0;
                for (var d = 1; d <= config.Window && i + d < sequence.Length; d++, weight *= config.DistanceDecay)
                {
                    if (sequence[i] == sequence[i + d])
                    {
                        continue;
                    }
                    AddPair(sequence[i], sequence[i + d], weight);
                    if (config.BackwardWeight > 0)
                    {
                        AddPair(sequence[i + d], sequence[i], weight * config.BackwardWeight);
                    }
                }
            }
        }
        // Sorted keys give rows in item order and neighbours in id order: the same data gives the same bytes.
        var keys = pairs.Keys.ToArray();
        Array.Sort(keys);
        var rowStart = new int[itemCount + 2];
        var neighbours = new int[keys.Length];
        var weights = new float[keys.Length];
        var rowTotals = new double[itemCount + 1];
        foreach (var key in keys)
        {
            rowTotals[key / (itemCount + 1)] += pairs[key];
        }
        for (var n = 0; n < keys.Length; n++)
        {
            var a = (int)(keys[n] / (itemCount + 1));
            neighbours[n] = (int)(keys[n] % (itemCount + 1));
            weights[n] = (float)(pairs[keys[n]] / rowTotals[a]);
            rowStart[a + 1]++;
        }
        for (var a = 1; a < rowStart.Length; a++)
        {
            rowStart[a] += rowStart[a - 1];
        }
        var maxCount = Math.Max(1f, popularity.Max());
        var prior = popularity.Select(c => (float)(config.PopularityPrior * c / maxCount)).ToArray();
        return new CooccurrenceRecommender(config, rowStart, neighbours, weights, prior);
    }

    public void ScoreBatch(ReadOnlySpan<ReadOnlyMemory<int>> histories, Span<float> scores)
    {
        var width = _prior.Length;
        for (var b = 0; b < histories.Length; b++)
        {
            var row = scores.Slice(b * width, width);
            _prior.CopyTo(row);
            var history = histories[b].Span;
            var vote = 1.0f;
            for (var r = 0; r < _config.RecentItems && r < history.Length; r++, vote *= (float)_config.RecencyDecay)
            {
                var item = history[^(r + 1)];
                if ((uint)item >= (uint)ItemCount + 1)
                {
                    throw new ArgumentException($"history item {item} is outside 1..{ItemCount}");
                }
                for (var n = _rowStart[item]; n < _rowStart[item + 1]; n++)
                {
                    row[_neighbours[n]] += vote * _weights[n];
                }
            }
        }
    }
}
