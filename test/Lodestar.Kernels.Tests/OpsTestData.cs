// Seeded random inputs and tolerance checks shared by the kernel tests of the ops work (softmax, norms,
// activations, attention...), so every test states its seed and its tolerance in one place.
namespace Lodestar.Kernels.Tests;

internal static class OpsTestData
{
    /// <summary>Uniform values in [-scale, scale) from a fixed seed.</summary>
    public static float[] Uniform(int seed, int length, float scale = 1f)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        }
        return values;
    }

    /// <summary>Asserts |expected − actual| ≤ absolute + relative·|expected| element-wise, naming the first bad index.</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float absolute, float relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            if (float.IsNaN(e) || float.IsNaN(a) || float.IsInfinity(e) || float.IsInfinity(a))
            {
                Assert.True(e.Equals(a), $"{what}[{i}]: expected {e}, got {a}");
                continue;
            }
            float tolerance = absolute + relative * Math.Abs(e);
            Assert.True(Math.Abs(e - a) <= tolerance, $"{what}[{i}]: expected {e}, got {a} (tolerance {tolerance})");
        }
    }

    /// <summary>Every length 0..257 (all vector remainders of every width) paired with a misalignment 0..3.</summary>
    public static IEnumerable<(int Length, int Offset)> LengthsAndOffsets()
    {
        for (int length = 0; length <= 257; length++)
        {
            yield return (length, length % 4);
        }
    }

    public static double[] ToDouble(float[] values) => values.Select(v => (double)v).ToArray();

    /// <summary>Central differences (L(x+h) − L(x−h))/2h of a scalar loss, in double precision.</summary>
    public static double[] NumericGradient(Func<double[], double> loss, double[] x, double h = 1e-6)
    {
        var gradient = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double saved = x[i];
            x[i] = saved + h;
            double plus = loss(x);
            x[i] = saved - h;
            double minus = loss(x);
            x[i] = saved;
            gradient[i] = (plus - minus) / (2 * h);
        }
        return gradient;
    }

    /// <summary>Σ w[i]·y[i]: a loss whose gradient with respect to y is w.</summary>
    public static double Weighted(ReadOnlySpan<double> y, ReadOnlySpan<double> w)
    {
        double sum = 0;
        for (int i = 0; i < y.Length; i++) sum += w[i] * y[i];
        return sum;
    }

    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double absolute, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = absolute + relative * Math.Abs(expected[i]);
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{what}[{i}]: expected {expected[i]}, got {actual[i]} (tolerance {tolerance})");
        }
    }
}
