// Scalar twins of LayerNorm and RmsNorm, generic over float/double so gradient checks run in double.
// Written from the llm.c layernorm_forward/backward formulas, two passes over each row.
using System.Numerics;

namespace Lodestar.Kernels;

public static class NormsReference
{
    public static void LayerNormForward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, Span<T> y,
        Span<T> mean, Span<T> rstd, int rows, int cols, T eps) where T : IFloatingPointIeee754<T>
    {
        T n = T.CreateChecked(cols);
        for (int r = 0; r < rows; r++)
        {
            T m = T.Zero;
            for (int c = 0; c < cols; c++) m += x[r * cols + c];
            m /= n;
            T variance = T.Zero;
            for (int c = 0; c < cols; c++) variance += (x[r * cols + c] - m) * (x[r * cols + c] - m);
            T s = T.One / T.Sqrt(variance / n + eps);
            mean[r] = m;
            rstd[r] = s;
            for (int c = 0; c < cols; c++) y[r * cols + c] = (x[r * cols + c] - m) * s * gamma[c] + beta[c];
        }
    }

    public static void LayerNormBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, ReadOnlySpan<T> mean,
        ReadOnlySpan<T> rstd, Span<T> dx, Span<T> dgamma, Span<T> dbeta, int rows, int cols) where T : IFloatingPointIeee754<T>
    {
        T n = T.CreateChecked(cols);
        for (int r = 0; r < rows; r++)
        {
            T dnormMean = T.Zero, dnormNormMean = T.Zero;
            for (int c = 0; c < cols; c++)
            {
                T norm = (x[r * cols + c] - mean[r]) * rstd[r], dnorm = gamma[c] * dy[r * cols + c];
                dnormMean += dnorm;
                dnormNormMean += dnorm * norm;
            }
            dnormMean /= n;
            dnormNormMean /= n;
            for (int c = 0; c < cols; c++)
            {
                int i = r * cols + c;
                T norm = (x[i] - mean[r]) * rstd[r], dnorm = gamma[c] * dy[i];
                dbeta[c] += dy[i];
                dgamma[c] += norm * dy[i];
                dx[i] += (dnorm - dnormMean - norm * dnormNormMean) * rstd[r];
            }
        }
    }

    public static void RmsNormForward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, Span<T> y, Span<T> rstd, int rows, int cols, T eps)
        where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            T squares = T.Zero;
            for (int c = 0; c < cols; c++) squares += x[r * cols + c] * x[r * cols + c];
            T s = T.One / T.Sqrt(squares / T.CreateChecked(cols) + eps);
            rstd[r] = s;
            for (int c = 0; c < cols; c++) y[r * cols + c] = x[r * cols + c] * s * gamma[c];
        }
    }

    public static void RmsNormBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, ReadOnlySpan<T> rstd,
        Span<T> dx, Span<T> dgamma, int rows, int cols) where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            T dnormNormMean = T.Zero;
            for (int c = 0; c < cols; c++) dnormNormMean += gamma[c] * dy[r * cols + c] * x[r * cols + c] * rstd[r];
            dnormNormMean /= T.CreateChecked(cols);
            for (int c = 0; c < cols; c++)
            {
                int i = r * cols + c;
                T norm = x[i] * rstd[r];
                dgamma[c] += norm * dy[i];
                dx[i] += (gamma[c] * dy[i] - norm * dnormNormMean) * rstd[r];
            }
        }
    }
}
