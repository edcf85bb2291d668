// Exposure of the items a ranker shows, summed per group (creator kind, a creator's protected attribute), beside the
// exposure each group would get if every list were ordered by true merit. Two views of equal footing:
// - expected exposure (Diaz et al., CIKM 2020): items of equal merit should get equal exposure in expectation. The
//   target exposure of an item is the attention of its place in the merit order, tied items sharing the attention of
//   the places they span (a random order among equals); a group's exposure ÷ its target exposure is 1 for a ranker
//   that orders by merit, above 1 for a group the ranker favours. The list-level loss ‖ε − ε*‖² / ‖ε*‖² is 0 then.
// - exposure per unit of merit (Singh & Joachims, KDD 2018, disparate treatment): a group's exposure ÷ its merit,
//   relative to the same ratio over all items. Even a merit-ordered ranker gives high-merit groups more than their
//   share (attention falls slower than merit), so its figures are read beside the merit order's own.
// A group's target ratio comes with a bootstrap interval over the lists (member-days), the unit that varies.
using Lodestar.Core;

namespace Lodestar.Evaluation.Fairness;

/// <summary>
/// One group's totals over the audited lists and the ratios read from them; <c>TargetRatioLow</c> and
/// <c>TargetRatioHigh</c> bound the middle 95% of the target ratio over lists resampled with replacement.
/// </summary>
public sealed record GroupExposure(string Group, long Items, double Exposure, double TargetExposure, double Merit, double TotalExposure, double TotalMerit,
    double TargetRatioLow = double.NaN, double TargetRatioHigh = double.NaN)
{
    /// <summary>The group's share of all exposure.</summary>
    public double ExposureShare => TotalExposure == 0 ? 0 : Exposure / TotalExposure;

    /// <summary>Exposure ÷ the exposure a merit order gives the same items (1: equal expected exposure).</summary>
    public double TargetRatio => TargetExposure == 0 ? double.NaN : Exposure / TargetExposure;

    /// <summary>(exposure ÷ merit) of the group ÷ (exposure ÷ merit) of all items.</summary>
    public double MeritRatio => Merit == 0 || TotalExposure == 0 ? double.NaN : Exposure / Merit / (TotalExposure / TotalMerit);
}

/// <summary>The audit of one grouping over many ranked lists.</summary>
public sealed record ExposureSummary(string Attention, long Lists, long Items, double ExpectedExposureLoss, IReadOnlyList<GroupExposure> Groups);

public sealed class ExposureAudit
{
    private readonly PositionAttention _attention;
    private readonly SortedDictionary<string, double[]> _groups = new(StringComparer.Ordinal);

    // Each list's exposure and target exposure per group it holds, for resampling lists.
    private readonly List<(string Group, double Exposure, double Target)[]> _perList = [];
    private long _lists;
    private long _items;
    private double _lossNumerator;
    private double _lossDenominator;

    public ExposureAudit(PositionAttention attention) => _attention = attention.Validate();

    /// <summary>
    /// Adds one list: item i has the ranker's <paramref name="scores"/>[i] (higher is shown first; equal scores keep
    /// the given order), a true merit ≥ 0 and a group. Every item of the list is shown.
    /// </summary>
    public void Add(ReadOnlySpan<double> scores, ReadOnlySpan<double> merits, IReadOnlyList<string> groups)
    {
        var n = scores.Length;
        if (merits.Length != n || groups.Count != n)
        {
            throw new ArgumentException($"an audited list needs a merit and a group per item: {n} scores, {merits.Length} merits, {groups.Count} groups");
        }
        for (var i = 0; i < n; i++)
        {
            if (!double.IsFinite(scores[i]))
            {
                throw new ArgumentException($"item {i} of the list has score {scores[i]}; scores must be finite");
            }
            if (!(merits[i] >= 0) || !double.IsFinite(merits[i]))
            {
                throw new ArgumentException($"item {i} of the list has merit {merits[i]}; merit must be finite and ≥ 0");
            }
        }
        if (n == 0)
        {
            return;
        }
        var exposure = Exposure(scores);
        var target = TargetExposure(merits);
        var perGroup = new Dictionary<string, (double Exposure, double Target)>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            if (!_groups.TryGetValue(groups[i], out var totals))
            {
                totals = new double[4];
                _groups[groups[i]] = totals;
            }
            totals[0]++;
            totals[1] += exposure[i];
            totals[2] += target[i];
            totals[3] += merits[i];
            _lossNumerator += (exposure[i] - target[i]) * (exposure[i] - target[i]);
            _lossDenominator += target[i] * target[i];
            var (e, t) = perGroup.GetValueOrDefault(groups[i]);
            perGroup[groups[i]] = (e + exposure[i], t + target[i]);
        }
        _perList.Add([.. perGroup.Select(g => (g.Key, g.Value.Exposure, g.Value.Target))]);
        _lists++;
        _items += n;
    }

    /// <summary>
    /// The totals per group; with <paramref name="resamples"/> > 0, each group's target ratio also gets the middle 95%
    /// of its values over that many resamples of the lists (a bootstrap over member-days, seeded).
    /// </summary>
    public ExposureSummary Summary(int resamples = 0, ulong seed = 1)
    {
        var totalExposure = _groups.Values.Sum(t => t[1]);
        var totalMerit = _groups.Values.Sum(t => t[3]);
        var intervals = Intervals(resamples, seed);
        return new ExposureSummary(_attention.Name, _lists, _items, _lossDenominator == 0 ? 0 : _lossNumerator / _lossDenominator,
            [.. _groups.Select(g =>
            {
                var (low, high) = intervals.GetValueOrDefault(g.Key, (double.NaN, double.NaN));
                return new GroupExposure(g.Key, (long)g.Value[0], g.Value[1], g.Value[2], g.Value[3], totalExposure, totalMerit, low, high);
            })]);
    }

    private Dictionary<string, (double Low, double High)> Intervals(int resamples, ulong seed)
    {
        var ratios = _groups.Keys.ToDictionary(g => g, _ => new List<double>(resamples), StringComparer.Ordinal);
        if (resamples <= 0 || _perList.Count == 0)
        {
            return [];
        }
        var random = new SeededRandom(seed);
        var exposure = new Dictionary<string, double>(StringComparer.Ordinal);
        var target = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var round = 0; round < resamples; round++)
        {
            exposure.Clear();
            target.Clear();
            for (var draw = 0; draw < _perList.Count; draw++)
            {
                foreach (var (group, e, t) in _perList[random.NextInt(_perList.Count)])
                {
                    exposure[group] = exposure.GetValueOrDefault(group) + e;
                    target[group] = target.GetValueOrDefault(group) + t;
                }
            }
            foreach (var (group, t) in target)
            {
                if (t > 0)
                {
                    ratios[group].Add(exposure[group] / t);
                }
            }
        }
        return ratios.Where(r => r.Value.Count > 0).ToDictionary(
            r => r.Key, r => (Statistics.Percentile(r.Value, 0.025), Statistics.Percentile(r.Value, 0.975)), StringComparer.Ordinal);
    }

    /// <summary>The attention of each item's place when the list is shown by score, highest first, ties in given order.</summary>
    private double[] Exposure(ReadOnlySpan<double> scores)
    {
        var copy = scores.ToArray();
        var order = Enumerable.Range(0, copy.Length).OrderByDescending(i => copy[i]).ThenBy(i => i).ToArray();
        var exposure = new double[copy.Length];
        for (var rank = 0; rank < order.Length; rank++)
        {
            exposure[order[rank]] = _attention.At(rank);
        }
        return exposure;
    }

    /// <summary>The attention of each item's place in the merit order, items of equal merit sharing their places' mean.</summary>
    private double[] TargetExposure(ReadOnlySpan<double> merits)
    {
        var copy = merits.ToArray();
        var order = Enumerable.Range(0, copy.Length).OrderByDescending(i => copy[i]).ToArray();
        var target = new double[copy.Length];
        for (var start = 0; start < order.Length;)
        {
            var end = start + 1;
            while (end < order.Length && copy[order[end]] == copy[order[start]])
            {
                end++;
            }
            double shared = 0;
            for (var rank = start; rank < end; rank++)
            {
                shared += _attention.At(rank);
            }
            shared /= end - start;
            for (var rank = start; rank < end; rank++)
            {
                target[order[rank]] = shared;
            }
            start = end;
        }
        return target;
    }
}
