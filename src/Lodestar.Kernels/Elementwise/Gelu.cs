// GELU (Hendrycks & Gimpel 2016), forward and backward: the tanh approximation PyTorch computes for
// nn.GELU(approximate='tanh') (GPT-2's choice) and the exact erf form of nn.GELU().
using System.Runtime.CompilerServices;

namespace Lodestar.Kernels;

public static class Gelu
{
    // √(2/π) and the cubic coefficient of the tanh approximation.
    internal const float TanhScale = 0.7978845608028654f;
    internal const float Cubic = 0.044715f;
    internal const float InverseSqrt2 = 0.7071067811865476f;
    internal const float InverseSqrt2Pi = 0.3989422804014327f;

    /// <summary>y = ½x(1 + tanh(√(2/π)(x + 0.044715x³))), x and y of the same length.</summary>
    public static void ForwardTanh(ReadOnlySpan<float> x, Span<float> y)
    {
        SimdLoops.RequireLength(y.Length, x.Length, nameof(y));
        SimdLoops.Unary<TanhForward>(x, y);
    }

    /// <summary>dx += dy · d/dx GELU_tanh(x).</summary>
    public static void BackwardTanh(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        SimdLoops.RequireLength(dy.Length, x.Length, nameof(dy));
        SimdLoops.RequireLength(dx.Length, x.Length, nameof(dx));
        SimdLoops.AccumulateBinary<TanhBackward>(x, dy, dx);
    }

    /// <summary>dx = dy · d/dx GELU_tanh(x), overwriting dx (for a gradient buffer nothing has written yet).</summary>
    public static void BackwardTanhOverwrite(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        SimdLoops.RequireLength(dy.Length, x.Length, nameof(dy));
        SimdLoops.RequireLength(dx.Length, x.Length, nameof(dx));
        SimdLoops.Binary<TanhBackward>(x, dy, dx);
    }

    /// <summary>y = ½x(1 + erf(x/√2)), the exact GELU.</summary>
    public static void ForwardErf(ReadOnlySpan<float> x, Span<float> y)
    {
        SimdLoops.RequireLength(y.Length, x.Length, nameof(y));
        SimdLoops.Unary<ErfForward>(x, y);
    }

    /// <summary>dx += dy · (½(1 + erf(x/√2)) + x·φ(x)), φ the standard normal density.</summary>
    public static void BackwardErf(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        SimdLoops.RequireLength(dy.Length, x.Length, nameof(dy));
        SimdLoops.RequireLength(dx.Length, x.Length, nameof(dx));
        SimdLoops.AccumulateBinary<ErfBackward>(x, dy, dx);
    }

    internal readonly struct TanhForward : IUnaryOperator
    {
        public static float Invoke(float x) => 0.5f * x * (1f + ActivationMath.Tanh(TanhScale * (x + Cubic * x * x * x)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TSimd, TVec>(TVec x) where TSimd : struct, IFloatSimd<TVec> where TVec : struct
        {
            TVec x3 = TSimd.Multiply(TSimd.Multiply(x, x), x);
            TVec u = TSimd.Multiply(TSimd.Broadcast(TanhScale), TSimd.MultiplyAdd(TSimd.Broadcast(Cubic), x3, x));
            TVec half = TSimd.Multiply(TSimd.Broadcast(0.5f), x);
            return TSimd.MultiplyAdd(half, ActivationMath.Tanh<TSimd, TVec>(u), half);
        }
    }

    // d/dx = ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²).
    private readonly struct TanhBackward : IBinaryOperator
    {
        public static float Invoke(float x, float dy)
        {
            float tanh = ActivationMath.Tanh(TanhScale * (x + Cubic * x * x * x));
            float du = TanhScale * (1f + 3f * Cubic * x * x);
            return dy * (0.5f * (1f + tanh) + 0.5f * x * ActivationMath.Sech2(TanhScale * (x + Cubic * x * x * x)) * du);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TSimd, TVec>(TVec x, TVec dy) where TSimd : struct, IFloatSimd<TVec> where TVec : struct
        {
            TVec one = TSimd.Broadcast(1f), half = TSimd.Broadcast(0.5f);
            TVec x2 = TSimd.Multiply(x, x);
            TVec u = TSimd.Multiply(TSimd.Broadcast(TanhScale), TSimd.MultiplyAdd(TSimd.Multiply(TSimd.Broadcast(Cubic), x2), x, x));
            TVec tanh = ActivationMath.TanhAndSech2<TSimd, TVec>(u, out TVec sech2);
            TVec du = TSimd.Multiply(TSimd.Broadcast(TanhScale), TSimd.MultiplyAdd(TSimd.Broadcast(3f * Cubic), x2, one));
            TVec grad = TSimd.MultiplyAdd(TSimd.Multiply(TSimd.Multiply(half, x), sech2), du, TSimd.Multiply(half, TSimd.Add(one, tanh)));
            return TSimd.Multiply(dy, grad);
        }
    }

    private readonly struct ErfForward : IUnaryOperator
    {
        public static float Invoke(float x) => 0.5f * x * (1f + ActivationMath.Erf(x * InverseSqrt2));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TSimd, TVec>(TVec x) where TSimd : struct, IFloatSimd<TVec> where TVec : struct
        {
            TVec half = TSimd.Multiply(TSimd.Broadcast(0.5f), x);
            return TSimd.MultiplyAdd(half, ActivationMath.Erf<TSimd, TVec>(TSimd.Multiply(x, TSimd.Broadcast(InverseSqrt2))), half);
        }
    }

    private readonly struct ErfBackward : IBinaryOperator
    {
        public static float Invoke(float x, float dy) =>
            dy * (0.5f * (1f + ActivationMath.Erf(x * InverseSqrt2)) + x * InverseSqrt2Pi * MathF.Exp(-0.5f * x * x));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TSimd, TVec>(TVec x, TVec dy) where TSimd : struct, IFloatSimd<TVec> where TVec : struct
        {
            TVec half = TSimd.Broadcast(0.5f);
            TVec cdf = TSimd.MultiplyAdd(half, ActivationMath.Erf<TSimd, TVec>(TSimd.Multiply(x, TSimd.Broadcast(InverseSqrt2))), half);
            TVec pdf = TSimd.Multiply(TSimd.Broadcast(InverseSqrt2Pi), TSimd.Exp(TSimd.Multiply(TSimd.Broadcast(-0.5f), TSimd.Multiply(x, x))));
            return TSimd.Multiply(dy, TSimd.MultiplyAdd(x, pdf, cdf));
        }
    }
}
