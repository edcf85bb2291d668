// Shared helpers for the GEMM tests: seeded random matrices placed at odd offsets inside larger buffers,
// and a tolerance derived from the float32 error bound of a length-k dot product.
namespace Lodestar.Kernels.Tests;

internal static class GemmTestData
{
    public static float[] Random(Random rng, int length)
    {
        var data = new float[length];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)(rng.NextDouble() * 2 - 1);
        }
        return data;
    }

    /// <summary>|fast − reference| allowed per element: k·ε·|alpha| (inputs lie in [−1, 1]) plus the beta·C term.</summary>
    public static float Tolerance(int k, float alpha, float beta) => 4e-7f * (k + 4) * Math.Abs(alpha) + 1e-6f * Math.Abs(beta) + 1e-6f;

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float diff = Math.Abs(expected[i] - actual[i]);
            if (!(diff <= tolerance) && !(float.IsNaN(expected[i]) && float.IsNaN(actual[i])))
            {
                Assert.Fail($"{context}: element {i} is {actual[i]}, expected {expected[i]} (tolerance {tolerance})");
            }
        }
    }
}
