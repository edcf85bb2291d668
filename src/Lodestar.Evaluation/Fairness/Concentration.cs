// How unevenly a quantity (impressions, merit) is spread over items: the Gini coefficient, 0 when every item has the
// same and (n − 1)/n when one item has all.
namespace Lodestar.Evaluation.Fairness;

public static class Concentration
{
    /// <summary>G = 2 Σ i·x₍ᵢ₎ / (n Σ x) − (n + 1)/n over the values sorted ascending (i from 1); 0 for no values or a zero total.</summary>
    public static double Gini(ReadOnlySpan<double> values)
    {
        var sorted = values.ToArray();
        foreach (var value in sorted)
        {
            if (!(value >= 0) || !double.IsFinite(value))
            {
                throw new ArgumentException($"a Gini coefficient needs finite values ≥ 0, got {value}");
            }
        }
        Array.Sort(sorted);
        double total = 0;
        double weighted = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            total += sorted[i];
            weighted += (i + 1) * sorted[i];
        }
        var n = sorted.Length;
        return n == 0 || total == 0 ? 0 : (2 * weighted / (n * total)) - ((n + 1.0) / n);
    }
}
