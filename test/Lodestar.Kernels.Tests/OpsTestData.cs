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
}
