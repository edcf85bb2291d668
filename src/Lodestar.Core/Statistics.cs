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
