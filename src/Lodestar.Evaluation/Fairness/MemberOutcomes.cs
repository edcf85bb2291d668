// Member fairness of a matcher at equal true quality: for each member, the share of the well-matched items they could
// be shown that their top list holds, and the matcher's apply probability on those; per group, each averaged within
// buckets of members with as many well-matched items and weighed by all members' bucket shares (direct
// standardisation), so a group with fewer good options is not counted as treated worse. Ratios are to all members'.
using Lodestar.Core;

namespace Lodestar.Evaluation.Fairness;

/// <summary>
/// One member's outcome: well-matched items available, the share of min(shown, available) in the top list, and the
/// mean apply probability over the well-matched items shown (NaN when none is shown).
/// </summary>
public sealed record MemberOutcome(long Member, int Available, double Shown, double Apply);

/// <summary>
/// One group's standardised shown and apply rates, each ÷ all members', with the middle 95% of each ratio over the
/// members resampled with replacement, and the group's members per quality bucket.
/// </summary>
public sealed record MemberGroupOutcome(string Group, int Members, double ShownRate, double ShownRatio, double ShownRatioLow, double ShownRatioHigh,
    double ApplyRate, double ApplyRatio, double ApplyRatioLow, double ApplyRatioHigh, IReadOnlyDictionary<string, int> MembersByQuality);

public static class MemberOutcomes
{
    /// <summary>Buckets of members by well-matched items available.</summary>
    public static IReadOnlyList<(string Name, int Low, int High)> QualityBuckets { get; } = [("1-5", 1, 5), ("6-20", 6, 20), ("21+", 21, int.MaxValue)];

    /// <summary>
    /// The outcome of one member's list: items i with the matcher's <paramref name="scores"/> (higher first, ties by
    /// lower id), true <paramref name="quality"/> and apply probability; the top <paramref name="shown"/> are shown.
    /// Null when no item reaches <paramref name="wellMatched"/>: such a member has nothing to be shown.
    /// </summary>
    public static MemberOutcome? Measure(long member, double[] scores, ReadOnlySpan<float> quality, ReadOnlySpan<float> apply, long[] ids, double wellMatched, int shown)
    {
        if (quality.Length != scores.Length || apply.Length != scores.Length || ids.Length != scores.Length)
        {
            throw new ArgumentException($"member {member}: {scores.Length} scores, {quality.Length} qualities, {apply.Length} apply probabilities, {ids.Length} ids; one of each per item");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(shown, 1);
        var available = 0;
        foreach (var q in quality)
        {
            available += q >= wellMatched ? 1 : 0;
        }
        if (available == 0)
        {
            return null;
        }
        var top = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => ids[i]).Take(shown).ToArray();
        var hits = new List<int>();
        foreach (var i in top)
        {
            if (quality[i] >= wellMatched)
            {
                hits.Add(i);
            }
        }
        double applySum = 0;
        foreach (var i in hits)
        {
            applySum += apply[i];
        }
        return new MemberOutcome(member, available, (double)hits.Count / Math.Min(shown, available), hits.Count == 0 ? double.NaN : applySum / hits.Count);
    }

    /// <summary>All members' standardised shown and apply rates (the plain means: every bucket's weight is its own share).</summary>
    public static (double Shown, double Apply) Overall(IReadOnlyList<MemberOutcome> outcomes)
    {
        var (shown, _, apply, _) = Rates(outcomes, null, _ => "");
        return (shown, apply);
    }

    /// <summary>Every group's outcome, <paramref name="resamples"/> resamples of the members behind each interval.</summary>
    public static IReadOnlyList<MemberGroupOutcome> ByGroup(IReadOnlyList<MemberOutcome> outcomes, Func<long, string> groupOf, int resamples, ulong seed)
    {
        var random = new SeededRandom(seed);
        var drawn = Enumerable.Range(0, resamples).Select(_ => Enumerable.Range(0, outcomes.Count).Select(_ => outcomes[random.NextInt(outcomes.Count)]).ToList()).ToList();
        var result = new List<MemberGroupOutcome>();
        foreach (var group in outcomes.GroupBy(o => groupOf(o.Member)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var (shown, shownRatio, apply, applyRatio) = Rates(outcomes, group.Key, groupOf);
            var spread = drawn.Select(d => Rates(d, group.Key, groupOf)).ToList();
            result.Add(new MemberGroupOutcome(group.Key, group.Count(),
                shown, shownRatio, Quantile(spread.Select(x => x.ShownRatio), 0.025), Quantile(spread.Select(x => x.ShownRatio), 0.975),
                apply, applyRatio, Quantile(spread.Select(x => x.ApplyRatio), 0.025), Quantile(spread.Select(x => x.ApplyRatio), 0.975),
                QualityBuckets.Select((b, i) => (b.Name, Count: group.Count(o => Bucket(o) == i))).ToDictionary(x => x.Name, x => x.Count)));
        }
        return result;
    }

    private static int Bucket(MemberOutcome outcome)
    {
        for (var b = 0; b < QualityBuckets.Count; b++)
        {
            if (outcome.Available >= QualityBuckets[b].Low && outcome.Available <= QualityBuckets[b].High)
            {
                return b;
            }
        }
        throw new ArgumentException($"member {outcome.Member} has {outcome.Available} well-matched items; an outcome needs at least one");
    }

    /// <summary>A group's (null: every member's) standardised rates and each ÷ all members', bucket weights from <paramref name="outcomes"/>.</summary>
    private static (double Shown, double ShownRatio, double Apply, double ApplyRatio) Rates(IReadOnlyList<MemberOutcome> outcomes, string? group, Func<long, string> groupOf)
    {
        var weights = new double[QualityBuckets.Count];
        foreach (var o in outcomes)
        {
            weights[Bucket(o)] += 1.0 / outcomes.Count;
        }
        var members = group is null ? outcomes : [.. outcomes.Where(o => groupOf(o.Member) == group)];
        var allShown = Standardised(outcomes, o => o.Shown, weights);
        var allApply = Standardised(outcomes, o => o.Apply, weights);
        var shown = Standardised(members, o => o.Shown, weights);
        var apply = Standardised(members, o => o.Apply, weights);
        return (shown, shown / allShown, apply, apply / allApply);
    }

    /// <summary>The mean per bucket weighed by <paramref name="weights"/>, over the buckets the (non-NaN) values reach.</summary>
    private static double Standardised(IEnumerable<MemberOutcome> outcomes, Func<MemberOutcome, double> value, double[] weights)
    {
        double sum = 0;
        double weight = 0;
        foreach (var bucket in outcomes.Where(o => !double.IsNaN(value(o))).GroupBy(Bucket))
        {
            sum += weights[bucket.Key] * bucket.Average(value);
            weight += weights[bucket.Key];
        }
        return weight == 0 ? double.NaN : sum / weight;
    }

    private static double Quantile(IEnumerable<double> values, double fraction)
    {
        var finite = values.Where(double.IsFinite).ToList();
        return finite.Count == 0 ? double.NaN : Statistics.Percentile(finite, fraction);
    }
}
