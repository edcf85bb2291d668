// Double-precision special functions for the scalar twins (.NET has no Math.Erf): accurate to ~1e-14,
// far below float rounding, so reference values are trustworthy.
namespace Lodestar.Kernels;

public static class SpecialFunctions
{
    /// <summary>erf(x): Maclaurin series for |x| &lt; 3, the Lentz continued fraction of erfc beyond.</summary>
    public static double Erf(double x)
    {
        double a = Math.Abs(x);
        if (double.IsNaN(x))
        {
            return double.NaN;
        }
        if (a < 3.0)
        {
            // erf(x) = 2/√π Σ_n (−1)^n x^{2n+1} / (n!(2n+1)).
            double term = a, sum = a, x2 = a * a;
            for (int n = 1; n < 200 && Math.Abs(term) > 1e-17 * Math.Abs(sum); n++)
            {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            return Math.CopySign(2.0 / Math.Sqrt(Math.PI) * sum, x);
        }
        return Math.CopySign(1.0 - Erfc(a), x);
    }

    // erfc(x) = e^{−x²}/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …)))) for x ≥ 3 (continued fraction, modified Lentz).
    private static double Erfc(double x)
    {
        const double Tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int n = 1; n < 500; n++)
        {
            double an = n / 2.0;
            d = x + an * d;
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = x + an / c;
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16)
            {
                break;
            }
        }
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / f;
    }
}
