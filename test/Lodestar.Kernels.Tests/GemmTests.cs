// Gemm against its scalar twin GemmReference: every length 0..257 of m, n and k on both the small and the
// blocked path, all four transposes, odd offsets and padded leading dimensions, alpha/beta and NaN handling.
using Lodestar.Kernels;

namespace Lodestar.Kernels.Tests;

public class GemmTests
{
    public static TheoryData<int, bool, bool> PathsAndTransposes()
    {
        var data = new TheoryData<int, bool, bool>();
        foreach (var path in new[] { GemmPath.Small, GemmPath.Blocked })
        {
            foreach (bool ta in new[] { false, true })
            {
                foreach (bool tb in new[] { false, true })
                {
                    data.Add((int)path, ta, tb);
                }
            }
        }
        return data;
    }

    internal static void RunCase(GemmPath path, bool ta, bool tb, int m, int n, int k, float alpha, float beta, int seed,
        int pad = 3, int offset = 1)
    {
        var rng = new Random(seed);
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        float[] a = GemmTestData.Random(rng, offset + (ta ? k : m) * lda);
        float[] b = GemmTestData.Random(rng, offset + (tb ? n : k) * ldb);
        float[] c = GemmTestData.Random(rng, offset + m * ldc);
        float[] expected = (float[])c.Clone();
        Gemm.Multiply(path, ta, tb, m, n, k, alpha, a.AsSpan(offset), lda, b.AsSpan(offset), ldb, beta, c.AsSpan(offset), ldc);
        GemmReference.Multiply(ta, tb, m, n, k, alpha, a.AsSpan(offset), lda, b.AsSpan(offset), ldb, beta, expected.AsSpan(offset), ldc);
        GemmTestData.AssertClose(expected, c, GemmTestData.Tolerance(k, alpha, beta),
            $"{path} ta={ta} tb={tb} m={m} n={n} k={k} alpha={alpha} beta={beta}");
    }

    [Theory]
    [MemberData(nameof(PathsAndTransposes))]
    public void EveryColumnCount0To257(int path, bool ta, bool tb)
    {
        for (int n = 0; n <= 257; n++)
        {
            RunCase((GemmPath)path, ta, tb, 13, n, 9, 1f, 0f, seed: n);
        }
    }

    [Theory]
    [MemberData(nameof(PathsAndTransposes))]
    public void EveryDepth0To257(int path, bool ta, bool tb)
    {
        for (int k = 0; k <= 257; k++)
        {
            RunCase((GemmPath)path, ta, tb, 7, 70, k, 0.5f, 1f, seed: k);
        }
    }

    [Theory]
    [MemberData(nameof(PathsAndTransposes))]
    public void EveryRowCount0To257(int path, bool ta, bool tb)
    {
        for (int m = 0; m <= 257; m++)
        {
            RunCase((GemmPath)path, ta, tb, m, 67, 11, -1.5f, 0.25f, seed: m);
        }
    }

    [Fact]
    public void RandomShapesThroughTheDispatcher()
    {
        var rng = new Random(20261122);
        for (int trial = 0; trial < 30; trial++)
        {
            int m = rng.Next(1, 60), n = rng.Next(1, 700), k = rng.Next(1, 600);
            bool ta = rng.Next(2) == 1, tb = rng.Next(2) == 1;
            float alpha = (float)(rng.NextDouble() * 4 - 2), beta = rng.Next(3) switch { 0 => 0f, 1 => 1f, _ => -0.7f };
            RunCase(GemmPath.Auto, ta, tb, m, n, k, alpha, beta, seed: trial, pad: rng.Next(0, 9), offset: rng.Next(0, 17));
        }
    }

    [Fact]
    public void LargeBlockedProductCrossesEveryBlockBoundary()
    {
        // k > 2·DepthBlock and n > ColumnBlock, with edges in every dimension.
        RunCase(GemmPath.Blocked, false, false, 131, Gemm.ColumnBlock + 77, 2 * Gemm.DepthBlock + 5, 1f, 0.5f, seed: 1);
        RunCase(GemmPath.Blocked, true, true, 97, Gemm.ColumnBlock + 3, Gemm.DepthBlock + 1, 1f, 0f, seed: 2);
        // Independent items of a plain A: several item column blocks per item, and rows split when columns run out.
        RunCase(GemmPath.Blocked, false, true, 61, 2 * Gemm.ItemColumnBlock + 70, Gemm.DepthBlock + 9, 0.5f, 1f, seed: 3);
        RunCase(GemmPath.Blocked, false, false, 203, 70, 2 * Gemm.DepthBlock + 1, 1f, -1f, seed: 4);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void BetaZeroOverwritesNaNsInC(int path)
    {
        int m = 20, n = 70, k = 33;
        var rng = new Random(5);
        float[] a = GemmTestData.Random(rng, m * k), b = GemmTestData.Random(rng, k * n);
        float[] c = Enumerable.Repeat(float.NaN, m * n).ToArray();
        Gemm.Multiply((GemmPath)path, false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
        Assert.DoesNotContain(c, float.IsNaN);
        float[] zeroDepth = Enumerable.Repeat(float.NaN, m * n).ToArray();
        Gemm.Multiply((GemmPath)path, false, false, m, n, 0, 1f, a, k, b, n, 0f, zeroDepth, n);
        Assert.All(zeroDepth, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void AlphaZeroOnlyScalesC()
    {
        float[] a = [float.NaN, 1], b = [2, 3], c = [4, 5];
        Gemm.Multiply(false, false, 1, 2, 1, 0f, a, 1, b, 2, 0.5f, c, 2);
        Assert.Equal([2f, 2.5f], c);
    }

    [Fact]
    public void BadArgumentsAreRejectedWithTheirNames()
    {
        float[] small = new float[5], big = new float[100];
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 4, 4, 4, 1f, big, 4, small, 4, 0f, big, 4));
        Assert.Equal("b", ex.ParamName);
        var ld = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, true, 4, 4, 4, 1f, big, 3, big, 4, 0f, big, 4));
        Assert.Equal("lda", ld.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, false, -1, 4, 4, 1f, big, 4, big, 4, 0f, big, 4));
    }
}
