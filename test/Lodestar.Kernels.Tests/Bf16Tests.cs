// bf16 conversions (round-to-nearest-even, NaN, infinities, span and scalar agreeing for every length
// 0..257) and Bf16Gemm's GEMV and GEMM against their scalar twins on every length 0..257 and odd offsets.
using Lodestar.Kernels;

namespace Lodestar.Kernels.Tests;

public class Bf16Tests
{
    [Theory]
    [InlineData(1f, (ushort)0x3F80)]
    [InlineData(-2f, (ushort)0xC000)]
    [InlineData(0f, (ushort)0x0000)]
    [InlineData(float.PositiveInfinity, (ushort)0x7F80)]
    [InlineData(float.NegativeInfinity, (ushort)0xFF80)]
    public void ExactValuesConvertExactly(float value, ushort bits)
    {
        Assert.Equal(bits, Bf16.FromFloat(value));
        Assert.Equal(value, Bf16.ToFloat(bits));
    }

    [Fact]
    public void TiesRoundToEven()
    {
        // 1 + 2^-8 lies halfway between bf16 1.0 (even mantissa) and 1 + 2^-7: it rounds down to even.
        Assert.Equal((ushort)0x3F80, Bf16.FromFloat(BitConverter.UInt32BitsToSingle(0x3F80_8000)));
        // 1 + 3·2^-8 lies halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): it rounds up to even.
        Assert.Equal((ushort)0x3F82, Bf16.FromFloat(BitConverter.UInt32BitsToSingle(0x3F81_8000)));
        // Just above a tie rounds up.
        Assert.Equal((ushort)0x3F81, Bf16.FromFloat(BitConverter.UInt32BitsToSingle(0x3F80_8001)));
        // The largest finite float rounds to infinity, as IEEE round-to-nearest requires.
        Assert.Equal((ushort)0x7F80, Bf16.FromFloat(float.MaxValue));
    }

    [Fact]
    public void NaNStaysNaN()
    {
        // A signalling NaN whose payload lives only in the low 16 bits would become infinity if truncated.
        float nan = BitConverter.UInt32BitsToSingle(0x7F80_0001);
        Assert.True(float.IsNaN(Bf16.ToFloat(Bf16.FromFloat(nan))));
        Assert.True(float.IsNaN(Bf16.ToFloat(Bf16.FromFloat(float.NaN))));
    }

    [Fact]
    public void SpanConversionMatchesScalarForEveryLength0To257()
    {
        var rng = new Random(3);
        for (int length = 0; length <= 257; length++)
        {
            var source = new float[length + 1];
            for (int i = 0; i < source.Length; i++)
            {
                source[i] = BitConverter.UInt32BitsToSingle((uint)rng.NextInt64(0, 1L << 32));
            }
            var bits = new ushort[length];
            Bf16.FromFloat(source.AsSpan(1), bits);
            for (int i = 0; i < length; i++)
            {
                ushort expected = Bf16.FromFloat(source[i + 1]);
                Assert.True(expected == bits[i] || (float.IsNaN(source[i + 1]) && float.IsNaN(Bf16.ToFloat(bits[i]))),
                    $"length {length} index {i}: {bits[i]:X4} vs {expected:X4}");
            }
            var back = new float[length];
            Bf16.ToFloat(bits, back);
            for (int i = 0; i < length; i++)
            {
                Assert.Equal(BitConverter.SingleToUInt32Bits(Bf16.ToFloat(bits[i])), BitConverter.SingleToUInt32Bits(back[i]));
            }
        }
    }

    private static ushort[] RandomWeights(Random rng, int length)
    {
        var floats = GemmTestData.Random(rng, length);
        var bits = new ushort[length];
        Bf16.FromFloat(floats, bits);
        return bits;
    }

    [Fact]
    public void VectorProductMatchesReferenceForEveryDepth0To257()
    {
        var rng = new Random(4);
        for (int k = 0; k <= 257; k++)
        {
            int n = 19, ldw = k + 3;
            var w = RandomWeights(rng, 1 + n * ldw);
            var x = GemmTestData.Random(rng, k + 1);
            var y = new float[n];
            var expected = new float[n];
            Bf16Gemm.MultiplyVector(n, k, w.AsSpan(1), ldw, x.AsSpan(1), y);
            Bf16GemmReference.MultiplyVector(n, k, w.AsSpan(1), ldw, x.AsSpan(1), expected);
            GemmTestData.AssertClose(expected, y, GemmTestData.Tolerance(k, 1f, 0f), $"gemv k={k}");
        }
    }

    [Fact]
    public void VectorProductCoversManyRows()
    {
        var rng = new Random(6);
        int n = 517, k = 40;
        var w = RandomWeights(rng, n * k);
        var x = GemmTestData.Random(rng, k);
        var y = new float[n];
        var expected = new float[n];
        Bf16Gemm.MultiplyVector(n, k, w, k, x, y);
        Bf16GemmReference.MultiplyVector(n, k, w, k, x, expected);
        GemmTestData.AssertClose(expected, y, GemmTestData.Tolerance(k, 1f, 0f), "gemv n=517");
    }

    private static void RunGemmCase(int m, int n, int k, int seed)
    {
        var rng = new Random(seed);
        int lda = k + 1, ldw = k + 2, ldc = n + 3;
        var a = GemmTestData.Random(rng, 1 + m * lda);
        var w = RandomWeights(rng, 1 + n * ldw);
        var c = GemmTestData.Random(rng, 1 + m * ldc);
        var expected = (float[])c.Clone();
        Bf16Gemm.Multiply(m, n, k, a.AsSpan(1), lda, w.AsSpan(1), ldw, c.AsSpan(1), ldc);
        Bf16GemmReference.Multiply(m, n, k, a.AsSpan(1), lda, w.AsSpan(1), ldw, expected.AsSpan(1), ldc);
        GemmTestData.AssertClose(expected, c, GemmTestData.Tolerance(k, 1f, 0f), $"bf16 gemm m={m} n={n} k={k}");
    }

    [Fact]
    public void MatrixProductMatchesReferenceForEveryLength0To257()
    {
        for (int len = 0; len <= 257; len++)
        {
            RunGemmCase(9, len, 13, seed: len);
            RunGemmCase(len, 21, 7, seed: len + 1000);
            RunGemmCase(8, 17, len, seed: len + 2000);
        }
    }

    [Fact]
    public void LargeMatrixProductCrossesBlockBoundaries()
    {
        RunGemmCase(70, Gemm.ColumnBlock + 9, Gemm.DepthBlock + 11, seed: 77);
    }
}
