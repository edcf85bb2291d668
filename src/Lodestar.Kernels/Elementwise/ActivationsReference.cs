// Scalar twins of Gelu and Silu, generic over float/double so gradient checks can run in double precision.
// Written from the textbook formulas with no shared code with Gelu/Silu, so a common mistake cannot hide.
using System.Numerics;

namespace Lodestar.Kernels;

public static class ActivationsReference
{
    public static void GeluTanhForward<T>(ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        T half = T.CreateChecked(0.5), c = T.CreateChecked(0.044715), k = T.Sqrt(T.CreateChecked(2) / T.Pi);
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = half * x[i] * (T.One + T.Tanh(k * (x[i] + c * x[i] * x[i] * x[i])));
        }
    }

    public static void GeluTanhBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx) where T : IFloatingPointIeee754<T>
    {
        T half = T.CreateChecked(0.5), c = T.CreateChecked(0.044715), k = T.Sqrt(T.CreateChecked(2) / T.Pi);
        for (int i = 0; i < x.Length; i++)
        {
            T tanh = T.Tanh(k * (x[i] + c * x[i] * x[i] * x[i]));
            T du = k * (T.One + T.CreateChecked(3) * c * x[i] * x[i]);
            dx[i] += dy[i] * (half * (T.One + tanh) + half * x[i] * (T.One - tanh * tanh) * du);
        }
    }

    public static void GeluErfForward<T>(ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = T.CreateChecked(0.5) * x[i] * (T.One + Erf(x[i] / T.Sqrt(T.CreateChecked(2))));
        }
    }

    public static void GeluErfBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx) where T : IFloatingPointIeee754<T>
    {
        T half = T.CreateChecked(0.5);
        for (int i = 0; i < x.Length; i++)
        {
            T cdf = half * (T.One + Erf(x[i] / T.Sqrt(T.CreateChecked(2))));
            T pdf = T.Exp(-half * x[i] * x[i]) / T.Sqrt(T.CreateChecked(2) * T.Pi);
            dx[i] += dy[i] * (cdf + x[i] * pdf);
        }
    }

    public static void SiluForward<T>(ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = x[i] / (T.One + T.Exp(-x[i]));
        }
    }

    public static void SiluBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++)
        {
            T s = T.One / (T.One + T.Exp(-x[i]));
            dx[i] += dy[i] * s * (T.One + x[i] * (T.One - s));
        }
    }

    private static T Erf<T>(T x) where T : IFloatingPointIeee754<T> => T.CreateChecked(SpecialFunctions.Erf(double.CreateChecked(x)));
}
