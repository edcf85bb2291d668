// SiLU / swish (Elfwing et al. 2017; Ramachandran et al. 2017), y = x·σ(x), forward and backward: the
// gate activation of SwiGLU feed-forward blocks.
using System.Runtime.CompilerServices;

namespace Lodestar.Kernels;

public static class Silu
{
    /// <summary>y = x·σ(x).</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y)
    {
        SimdLoops.RequireLength(y.Length, x.Length, nameof(y));
        SimdLoops.Unary<SiluForward>(x, y);
    }

    /// <summary>dx += dy · σ(x)(1 + x(1 − σ(x))).</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        SimdLoops.RequireLength(dy.Length, x.Length, nameof(dy));
        SimdLoops.RequireLength(dx.Length, x.Length, nameof(dx));
        SimdLoops.AccumulateBinary<SiluBackward>(x, dy, dx);
    }

    private readonly struct SiluForward : IUnaryOperator
    {
        public static float Invoke(float x) => x * ActivationMath.Sigmoid(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TSimd, TVec>(TVec x) where TSimd : struct, IFloatSimd<TVec> where TVec : struct =>
            TSimd.Multiply(x, ActivationMath.Sigmoid<TSimd, TVec>(x));
    }

    private readonly struct SiluBackward : IBinaryOperator
    {
        public static float Invoke(float x, float dy)
        {
            float s = ActivationMath.Sigmoid(x);
            return dy * s * (1f + x * (1f - s));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TSimd, TVec>(TVec x, TVec dy) where TSimd : struct, IFloatSimd<TVec> where TVec : struct
        {
            TVec one = TSimd.Broadcast(1f);
            TVec s = ActivationMath.Sigmoid<TSimd, TVec>(x);
            return TSimd.Multiply(TSimd.Multiply(dy, s), TSimd.MultiplyAdd(x, TSimd.Subtract(one, s), one));
        }
    }
}
