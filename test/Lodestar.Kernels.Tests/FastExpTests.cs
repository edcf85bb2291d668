// FastExp, the e^x under every vector softmax and activation: each vector width against its scalar twin
// (bit for bit), the twin against double-precision exp (≤ 2 ulp), and the edges (0, +∞, NaN, underflow).
using System.Runtime.Intrinsics;

namespace Lodestar.Kernels.Tests;

public class FastExpTests
{
    private static readonly float[] Edges =
    [
        0f, -0f, 1f, -1f, 0.5f * MathF.Log(2f), -0.5f * MathF.Log(2f), FastExp.Lowest, FastExp.Highest,
        FastExp.Lowest - 1e-3f, FastExp.Highest + 1e-3f, -86.99f, 87.99f, -1000f, 1000f,
        float.NegativeInfinity, float.PositiveInfinity, float.NaN, float.Epsilon, -float.Epsilon,
    ];

    private static float[] Inputs()
    {
        var random = OpsTestData.Uniform(7, 20_000, 90f);
        return [.. Edges, .. random, .. OpsTestData.Uniform(8, 4_000, 2f)];
    }

    [Fact]
    public void ScalarTwinIsWithinTwoUlpOfDoubleExpAndExactAtTheEdges()
    {
        foreach (float x in Inputs())
        {
            float actual = FastExp.Exp(x);
            if (float.IsNaN(x))
            {
                Assert.True(float.IsNaN(actual));
                continue;
            }
            if (x < FastExp.Lowest || x > FastExp.Highest)
            {
                Assert.Equal(x < FastExp.Lowest ? 0f : float.PositiveInfinity, actual);
                continue;
            }
            double expected = Math.Exp(x);
            double ulp = Math.Max(MathF.BitIncrement((float)expected) - (float)expected, float.Epsilon);
            Assert.True(Math.Abs(actual - expected) <= 2 * ulp, $"exp({x:R}) = {expected:R}, got {actual:R}");
        }
    }

    [Fact]
    public void EveryVectorWidthMatchesTheScalarTwinBitForBit()
    {
        float[] x = Inputs();
        AssertWidth<Simd128, Vector128<float>>(x, "128");
        if (Vector256.IsHardwareAccelerated)
        {
            AssertWidth<Simd256, Vector256<float>>(x, "256");
        }
        if (Vector512.IsHardwareAccelerated)
        {
            AssertWidth<Simd512, Vector512<float>>(x, "512");
        }
    }

    private static void AssertWidth<TSimd, TVec>(float[] x, string width) where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        var y = new float[x.Length];
        int i = 0;
        for (; i + w <= x.Length; i += w)
        {
            TSimd.Store(TSimd.Exp(TSimd.Load(ref x[i])), ref y[i]);
        }
        for (int j = 0; j < i; j++)
        {
            float expected = FastExp.Exp(x[j]);
            Assert.True(float.IsNaN(expected) ? float.IsNaN(y[j]) : BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(y[j]),
                $"Vector{width} exp({x[j]:R}): scalar twin {expected:R}, vector {y[j]:R}");
        }
    }
}
