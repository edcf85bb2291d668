// Reductions over one span (sum, max, mean, sum of squares, L2 norm, dot) with several vector accumulators,
// used by losses, gradient clipping and metrics.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lodestar.Kernels;

public static unsafe class Reductions
{
    /// <summary>Σ x[i] (0 for an empty span).</summary>
    public static float Sum(ReadOnlySpan<float> x) => SimdLoops.SumOf<FirstOperator>(x, x);

    /// <summary>Σ x[i] / n (NaN for an empty span).</summary>
    public static float Mean(ReadOnlySpan<float> x) => Sum(x) / x.Length;

    /// <summary>Σ x[i]².</summary>
    public static float SumOfSquares(ReadOnlySpan<float> x) => SimdLoops.SumOf<ProductOperator>(x, x);

    /// <summary>√(Σ x[i]²), the Euclidean norm used for gradient clipping.</summary>
    public static float L2Norm(ReadOnlySpan<float> x) => MathF.Sqrt(SumOfSquares(x));

    /// <summary>Σ x[i]·y[i] over x's length.</summary>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        SimdLoops.RequireLength(y.Length, x.Length, nameof(y));
        return SimdLoops.SumOf<ProductOperator>(x, y);
    }

    /// <summary>max_i x[i] (−∞ for an empty span).</summary>
    public static float Max(ReadOnlySpan<float> x)
    {
        fixed (float* p = x)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                return TileMath.Max<Simd512, Vector512<float>>(p, x.Length);
            }
            return Vector256.IsHardwareAccelerated ? TileMath.Max<Simd256, Vector256<float>>(p, x.Length) : TileMath.Max<Simd128, Vector128<float>>(p, x.Length);
        }
    }

    private readonly struct FirstOperator : IBinaryOperator
    {
        public static float Invoke(float x, float y) => x;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TSimd, TVec>(TVec x, TVec y) where TSimd : struct, IFloatSimd<TVec> where TVec : struct => x;
    }

    private readonly struct ProductOperator : IBinaryOperator
    {
        public static float Invoke(float x, float y) => x * y;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TSimd, TVec>(TVec x, TVec y) where TSimd : struct, IFloatSimd<TVec> where TVec : struct => TSimd.Multiply(x, y);
    }
}
