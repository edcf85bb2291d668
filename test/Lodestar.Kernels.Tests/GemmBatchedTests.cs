// Gemm.MultiplyBatched against GemmReference.MultiplyBatched: padded strides, both the one-product-per-
// thread path (small products) and the sequential path (large products), and the thread-count independence.
using Lodestar.Kernels;

namespace Lodestar.Kernels.Tests;

public class GemmBatchedTests
{
    [Theory]
    [InlineData(0, 5, 6, 7, false, false)]
    [InlineData(1, 5, 6, 7, true, false)]
    [InlineData(7, 17, 33, 9, false, true)]
    [InlineData(12, 64, 64, 32, true, true)]
    [InlineData(3, 150, 140, 130, false, true)]
    [InlineData(2, 200, 90, 300, true, false)]
    public void MatchesReference(int batch, int m, int n, int k, bool ta, bool tb)
    {
        var rng = new Random(batch * 1000 + m);
        int lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1, ldc = n + 3;
        long strideA = (ta ? k : m) * lda + 5, strideB = (tb ? n : k) * ldb + 1, strideC = m * ldc + 7;
        float[] a = GemmTestData.Random(rng, (int)(batch * strideA) + 1);
        float[] b = GemmTestData.Random(rng, (int)(batch * strideB) + 1);
        float[] c = GemmTestData.Random(rng, (int)(batch * strideC) + 1);
        float[] expected = (float[])c.Clone();
        Gemm.MultiplyBatched(ta, tb, batch, m, n, k, 0.75f, a.AsSpan(1), lda, strideA, b.AsSpan(1), ldb, strideB,
            0.5f, c.AsSpan(1), ldc, strideC);
        GemmReference.MultiplyBatched(ta, tb, batch, m, n, k, 0.75f, a.AsSpan(1), lda, strideA, b.AsSpan(1), ldb, strideB,
            0.5f, expected.AsSpan(1), ldc, strideC);
        GemmTestData.AssertClose(expected, c, GemmTestData.Tolerance(k, 0.75f, 0.5f), $"batch={batch} m={m} n={n} k={k}");
    }

    [Fact]
    public void SharedOperandWithZeroStride()
    {
        // Stride 0 broadcasts one B (e.g. a weight) across the batch.
        var rng = new Random(3);
        int batch = 4, m = 9, n = 10, k = 11;
        float[] a = GemmTestData.Random(rng, batch * m * k), b = GemmTestData.Random(rng, k * n);
        float[] c = new float[batch * m * n], expected = new float[batch * m * n];
        Gemm.MultiplyBatched(false, false, batch, m, n, k, 1f, a, k, m * k, b, n, 0, 0f, c, n, m * n);
        GemmReference.MultiplyBatched(false, false, batch, m, n, k, 1f, a, k, m * k, b, n, 0, 0f, expected, n, m * n);
        GemmTestData.AssertClose(expected, c, GemmTestData.Tolerance(k, 1f, 0f), "stride 0");
    }

    [Fact]
    public void ShortBufferNamesTheStride()
    {
        float[] buffer = new float[100];
        var ex = Assert.Throws<ArgumentException>(() => Gemm.MultiplyBatched(false, false, 3, 4, 4, 4, 1f,
            buffer, 4, 50, buffer, 4, 0, 0f, buffer, 4, 16));
        Assert.Contains("strideA", ex.Message, StringComparison.Ordinal);
    }
}
