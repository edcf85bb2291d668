// Summary statistics that reports and benchmarks share: the median of timing rounds, the mean and sample
// standard deviation of a metric over seeds.
namespace Lodestar.Core;

public static class Statistics
{
    /// <summary>The middle value; the mean of the two middle values for an even count.</summary>
    public static double Median(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("the median of no values is undefined", nameof(values));
        }
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>
    /// The <paramref name="fraction"/> quantile (0.99 for p99) with linear interpolation between the two nearest
    /// ranks, as numpy.percentile's default: rank = fraction × (n − 1).
    /// </summary>
    public static double Percentile(IEnumerable<double> values, double fraction)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!(fraction >= 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "a percentile's fraction is in [0, 1]");
        }
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("a percentile of no values is undefined", nameof(values));
        }
        var rank = fraction * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((rank - low) * (sorted[high] - sorted[low]));
    }

    /// <summary>The value at rank ⌊fraction × n⌋ of ascending <paramref name="sorted"/> counts (a value that occurs in the data).</summary>
    public static long NearestRank(ReadOnlySpan<long> sorted, double fraction)
    {
        if (sorted.IsEmpty)
        {
            throw new ArgumentException("a quantile of no values is undefined", nameof(sorted));
        }
        return sorted[Math.Clamp((int)(fraction * sorted.Length), 0, sorted.Length - 1)];
    }

    /// <summary>Sample standard deviation (divisor n − 1); 0 for fewer than two values.</summary>
    public static double SampleStandardDeviation(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var list = values as IReadOnlyList<double> ?? [.. values];
        if (list.Count < 2)
        {
            return 0;
        }
        var mean = list.Average();
        var squares = 0.0;
        foreach (var v in list)
        {
            squares += (v - mean) * (v - mean);
        }
        return Math.Sqrt(squares / (list.Count - 1));
    }
}

/// <summary>Mean, sample standard deviation (n − 1; 0 for one seed), minimum and maximum of one metric over seeds.</summary>
public sealed record SeedSpread(double Mean, double Std, double Min, double Max)
{
    public static SeedSpread Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("a spread over seeds needs at least one value", nameof(values));
        }
        return new SeedSpread(values.Average(), Statistics.SampleStandardDeviation(values), values.Min(), values.Max());
    }
}

/// <summary>
/// One figure of a variant against a baseline's over seeds, under the rule every experiment fixes before its runs: a
/// direction holds when the means differ by more than <see cref="SpreadsApart"/> times the larger of the two sample
/// standard deviations ("higher" or "lower"); otherwise it is a "tie".
/// </summary>
public sealed record SeedVerdict(double Difference, double Threshold, string Verdict)
{
    /// <summary>How many of the larger standard deviation the means must differ by for a direction to hold.</summary>
    public const double SpreadsApart = 2;

    public static SeedVerdict Of(SeedSpread figure, SeedSpread baseline)
    {
        var difference = figure.Mean - baseline.Mean;
        var threshold = SpreadsApart * Math.Max(figure.Std, baseline.Std);
        return new SeedVerdict(difference, threshold, Math.Abs(difference) <= threshold ? "tie" : difference > 0 ? "higher" : "lower");
    }
}
