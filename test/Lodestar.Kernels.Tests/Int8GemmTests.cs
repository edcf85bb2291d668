// Int8Gemm against its integer scalar twin (exact equality) for every length 0..257 of m, n and k, at odd
// offsets and extreme values (no 16-bit saturation), plus quantization round trips and the float output.
using Lodestar.Kernels;

namespace Lodestar.Kernels.Tests;

public class Int8GemmTests
{
    private static (byte[] A, sbyte[] W) RandomOperands(Random rng, int aLength, int wLength, bool sevenBits = false)
    {
        var a = new byte[aLength];
        var w = new sbyte[wLength];
        rng.NextBytes(a);
        if (sevenBits)
        {
            for (int i = 0; i < a.Length; i++)
            {
                a[i] &= 127;
            }
        }
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = (sbyte)rng.Next(-128, 128);
        }
        return (a, w);
    }

    // Seven-bit activations select the vpmaddubsw kernel, full-range ones the s16-pair kernel: both are swept.
    private static void RunExactCase(int m, int n, int k, int seed, int offset = 3, int pad = 5)
    {
        RunExactCase(m, n, k, seed, offset, pad, sevenBits: false);
        RunExactCase(m, n, k, seed, offset, pad, sevenBits: true);
    }

    private static void RunExactCase(int m, int n, int k, int seed, int offset, int pad, bool sevenBits)
    {
        var rng = new Random(seed);
        int lda = k + pad, ldw = k + pad + 1, ldc = n + pad;
        var (a, w) = RandomOperands(rng, offset + m * lda, offset + n * ldw, sevenBits);
        var c = new int[offset + m * ldc];
        var expected = new int[c.Length];
        Array.Fill(c, 7);
        Array.Fill(expected, 7);
        Int8Gemm.MultiplyInt32(m, n, k, a.AsSpan(offset), lda, w.AsSpan(offset), ldw, c.AsSpan(offset), ldc);
        Int8GemmReference.MultiplyInt32(m, n, k, a.AsSpan(offset), lda, w.AsSpan(offset), ldw, expected.AsSpan(offset), ldc);
        if (!c.AsSpan().SequenceEqual(expected))
        {
            int i = c.AsSpan().CommonPrefixLength(expected);
            Assert.Fail($"m={m} n={n} k={k} sevenBits={sevenBits}: element {i} is {c[i]}, expected {expected[i]}");
        }
    }

    [Fact]
    public void EveryDepth0To257IsExact()
    {
        for (int k = 0; k <= 257; k++)
        {
            RunExactCase(7, 70, k, seed: k);
        }
    }

    [Fact]
    public void EveryColumnCount0To257IsExact()
    {
        for (int n = 0; n <= 257; n++)
        {
            RunExactCase(13, n, 9, seed: n);
        }
    }

    [Fact]
    public void EveryRowCount0To257IsExact()
    {
        for (int m = 0; m <= 257; m++)
        {
            RunExactCase(m, 67, 11, seed: m);
        }
    }

    [Fact]
    public void RandomLargerShapesAreExact()
    {
        var rng = new Random(8);
        for (int trial = 0; trial < 6; trial++)
        {
            RunExactCase(rng.Next(1, 80), rng.Next(1, 300), rng.Next(1, 700), seed: trial, offset: rng.Next(0, 9), pad: rng.Next(0, 9));
        }
    }

    [Theory]
    [InlineData(255)]
    [InlineData(127)]
    [InlineData(128)]
    public void ExtremeValuesDoNotSaturate(int activation)
    {
        // activation·(−128) summed over 1001 terms: at 255, a vpmaddubsw pair (−65280) would saturate at −32768;
        // at 127 the pair (−32512) is the largest the 7-bit kernel relies on.
        int m = 7, n = 33, k = 1001;
        var a = Enumerable.Repeat((byte)activation, m * k).ToArray();
        var w = Enumerable.Repeat((sbyte)-128, n * k).ToArray();
        var c = new int[m * n];
        Int8Gemm.MultiplyInt32(m, n, k, a, k, w, k, c, n);
        Assert.All(c, v => Assert.Equal(activation * -128 * k, v));
    }

    [Fact]
    public void FloatOutputMatchesTheReference()
    {
        var rng = new Random(21);
        int m = 37, n = 90, k = 75;
        var (a, w) = RandomOperands(rng, m * k + 1, n * k + 1);
        var aScale = Enumerable.Range(0, m).Select(i => 0.01f + i * 1e-3f).ToArray();
        var aZero = Enumerable.Range(0, m).Select(i => (byte)(i * 7)).ToArray();
        var wScale = Enumerable.Range(0, n).Select(j => 0.02f - j * 1e-4f).ToArray();
        var c = new float[m * n];
        var expected = new float[m * n];
        Int8Gemm.Multiply(m, n, k, a.AsSpan(1), k, aScale, aZero, w.AsSpan(1), k, wScale, c, n);
        Int8GemmReference.Multiply(m, n, k, a.AsSpan(1), k, aScale, aZero, w.AsSpan(1), k, wScale, expected, n);
        for (int i = 0; i < c.Length; i++)
        {
            Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-5f * Math.Abs(expected[i]) + 1e-6f, $"element {i}: {c[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void QuantizedProductApproximatesTheFloatProduct()
    {
        var rng = new Random(99);
        int m = 24, n = 40, k = 128;
        float[] x = GemmTestData.Random(rng, m * k), weight = GemmTestData.Random(rng, n * k);
        var qx = new byte[m * k];
        var qw = new sbyte[n * k];
        float[] xScale = new float[m], wScale = new float[n];
        var xZero = new byte[m];
        var exact = new float[m * n];
        GemmReference.Multiply(false, true, m, n, k, 1f, x, k, weight, k, 0f, exact, n);
        Int8Quantize.RowsToS8(n, k, weight, k, qw, k, wScale);
        foreach (bool reduceRange in new[] { false, true })
        {
            Int8Quantize.RowsToU8(m, k, x, k, qx, k, xScale, xZero, reduceRange);
            Assert.True(!reduceRange || qx.All(v => v <= 127), "reduceRange must produce 7-bit codes");
            var approx = new float[m * n];
            Int8Gemm.Multiply(m, n, k, qx, k, xScale, xZero, qw, k, wScale, approx, n);
            // Per-term error ≤ |x|·wScale/2 + |w|·xScale/2 (+ their product); summed over k with random signs.
            double worst = approx.Zip(exact, (p, q) => Math.Abs(p - q)).Max();
            Assert.True(worst < (reduceRange ? 0.25 : 0.15), $"reduceRange={reduceRange}: worst |int8 − fp32| = {worst}");
            Assert.True(worst > 0, "quantization cannot be lossless on random data; the int8 path may have been bypassed");
        }
    }

    [Fact]
    public void QuantizeRoundTripsWithinHalfAStep()
    {
        var rng = new Random(5);
        int rows = 9, cols = 130;
        float[] x = GemmTestData.Random(rng, rows * cols);
        x[3] = 0; // zero must come back exactly
        var q = new byte[rows * cols];
        var scale = new float[rows];
        var zero = new byte[rows];
        Int8Quantize.RowsToU8(rows, cols, x, cols, q, cols, scale, zero);
        var qs = new sbyte[rows * cols];
        var sScale = new float[rows];
        Int8Quantize.RowsToS8(rows, cols, x, cols, qs, cols, sScale);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                int i = r * cols + c;
                Assert.True(Math.Abs(scale[r] * (q[i] - zero[r]) - x[i]) <= scale[r] * 0.5001f, $"u8 row {r} col {c}");
                Assert.True(Math.Abs(sScale[r] * qs[i] - x[i]) <= sScale[r] * 0.5001f, $"s8 row {r} col {c}");
            }
        }
        Assert.Equal(0f, scale[0] * (q[3] - zero[0]));
    }

    [Fact]
    public void BadArgumentsNameTheField()
    {
        var ex = Assert.Throws<ArgumentException>(() => Int8Gemm.Multiply(2, 3, 4, new byte[8], 4, new float[2], new byte[2],
            new sbyte[12], 4, new float[2], new float[6], 3));
        Assert.Equal("wScale", ex.ParamName);
        var shortW = Assert.Throws<ArgumentException>(() => Int8Gemm.MultiplyInt32(2, 3, 4, new byte[8], 4, new sbyte[11], 4, new int[6], 3));
        Assert.Equal("w", shortW.ParamName);
    }
}
