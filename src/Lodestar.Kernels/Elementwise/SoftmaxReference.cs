// Scalar twin of Softmax, generic over float/double so its gradients can be checked in double precision.
// Fully masked rows give zeros (−∞ for log-softmax), the same contract as the fast kernel.
using System.Numerics;

namespace Lodestar.Kernels;

public static class SoftmaxReference
{
    /// <summary>Same contract as <see cref="Softmax.Forward"/> (log = true for LogForward).</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, int rows, int cols, ReadOnlySpan<T> additiveMask = default,
        ReadOnlySpan<bool> allowed = default, bool log = false) where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            T max = T.NegativeInfinity;
            for (int c = 0; c < cols; c++)
            {
                T value = x[r * cols + c];
                if (additiveMask.Length > 0) value += additiveMask[additiveMask.Length == cols ? c : r * cols + c];
                if (allowed.Length > 0 && !allowed[allowed.Length == cols ? c : r * cols + c]) value = T.NegativeInfinity;
                y[r * cols + c] = value;
                max = T.Max(max, value);
            }
            if (T.IsNegativeInfinity(max))
            {
                y.Slice(r * cols, cols).Fill(log ? T.NegativeInfinity : T.Zero);
                continue;
            }
            T sum = T.Zero;
            for (int c = 0; c < cols; c++) sum += T.Exp(y[r * cols + c] - max);
            for (int c = 0; c < cols; c++)
            {
                T shifted = y[r * cols + c] - max;
                y[r * cols + c] = log ? shifted - T.Log(sum) : T.Exp(shifted) / sum;
            }
        }
    }

    /// <summary>Same contract as <see cref="Softmax.Backward"/> / <see cref="Softmax.LogBackward"/>.</summary>
    public static void Backward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, int rows, int cols, bool log = false)
        where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            T total = T.Zero;
            for (int c = 0; c < cols; c++) total += log ? dy[r * cols + c] : y[r * cols + c] * dy[r * cols + c];
            for (int c = 0; c < cols; c++)
            {
                int i = r * cols + c;
                dx[i] += log ? dy[i] - T.Exp(y[i]) * total : y[i] * (dy[i] - total);
            }
        }
    }
}
