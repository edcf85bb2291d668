// The prepacked-weight GEMM with its fused epilogue against the scalar twins (GemmReference, then bias, GELU
// and residual one pass at a time) on edge shapes, depths beyond one k-block, and sizes that use the pool.
namespace Lodestar.Kernels.Tests;

public class GemmPackedTests
{
    [Theory]
    [InlineData(1, 1, 1, true, false, false)]
    [InlineData(5, 63, 17, false, false, false)]
    [InlineData(6, 64, 64, true, true, false)]
    [InlineData(7, 65, 385, true, false, true)]
    [InlineData(128, 384, 128, true, false, false)]
    [InlineData(128, 1024, 256, true, true, false)]
    [InlineData(130, 256, 1024, true, false, true)]
    [InlineData(3, 200, 800, false, true, true)]
    public void MatchesReferenceGemmThenEpilogue(int m, int n, int k, bool bias, bool gelu, bool residual)
    {
        var rng = new Random(m * 7919 + n * 31 + k);
        int lda = k + 3, ldc = n;
        float[] a = GemmTestData.Random(rng, m * lda);
        float[] weight = GemmTestData.Random(rng, n * k);
        float[] biasValues = bias ? GemmTestData.Random(rng, n) : [];
        float[] residualValues = residual ? GemmTestData.Random(rng, m * ldc) : [];
        var expected = new float[m * ldc];
        GemmReference.Multiply(false, true, m, n, k, 1f, a, lda, weight, k, 0f, expected, ldc);
        for (int r = 0; r < m; r++)
        {
            var row = expected.AsSpan(r * ldc, n);
            for (int j = 0; j < n && bias; j++) row[j] += biasValues[j];
            if (gelu) ActivationsReference.GeluTanhForward<float>(row.ToArray(), row);
            for (int j = 0; j < n && residual; j++) row[j] += residualValues[(r * ldc) + j];
        }
        var actual = new float[m * ldc];
        Array.Fill(actual, float.NaN); // every element must be written
        var packed = Gemm.PackWeight(weight, n, k);
        Gemm.MultiplyPacked(m, a, lda, packed, biasValues, gelu, residualValues, actual, ldc);
        GemmTestData.AssertClose(expected, actual, GemmTestData.Tolerance(k, 1f, 0f) + (gelu ? 1e-5f : 0f), $"packed m={m} n={n} k={k}");
    }

    [Fact]
    public void BadArgumentsNameTheProblem()
    {
        var packed = Gemm.PackWeight(new float[6], 2, 3);
        Assert.Equal((2, 3), (packed.OutFeatures, packed.InFeatures));
        Assert.Throws<ArgumentException>(() => Gemm.PackWeight(new float[5], 2, 3));
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyPacked(2, new float[6], 3, packed, new float[1], false, default, new float[4], 2));
        Assert.ThrowsAny<ArgumentException>(() => Gemm.MultiplyPacked(2, new float[5], 3, packed, default, false, default, new float[4], 2));
    }
}
