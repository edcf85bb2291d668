// How a report writes a number for a person: three significant digits below a thousand (0.647, 5.82, 13.6, 183),
// whole numbers with thousands separators above (12,345), "n/a" for what is not a number; counts stay whole.
using System.Globalization;

namespace Lodestar.Evaluation.Reports;

public static class ReportNumber
{
    public static string Format(double value)
    {
        if (!double.IsFinite(value))
        {
            return "n/a";
        }
        var magnitude = Math.Abs(value);
        if (magnitude >= 999.5)
        {
            return value.ToString("N0", CultureInfo.InvariantCulture);
        }
        if (magnitude == 0)
        {
            return "0";
        }
        if (magnitude < 1e-4)
        {
            return value.ToString("0.##e+0", CultureInfo.InvariantCulture);
        }
        var decimals = Math.Max(0, 2 - (int)Math.Floor(Math.Log10(magnitude)));
        var rounded = Math.Round(value, decimals, MidpointRounding.AwayFromZero);
        // Rounding up can add a digit (9.996 → 10.00): write it with the decimals its new size takes.
        if (Math.Abs(rounded) >= 999.5)
        {
            return rounded.ToString("N0", CultureInfo.InvariantCulture);
        }
        decimals = Math.Max(0, 2 - (int)Math.Floor(Math.Log10(Math.Abs(rounded))));
        return rounded.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>A count: whole, with thousands separators.</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
