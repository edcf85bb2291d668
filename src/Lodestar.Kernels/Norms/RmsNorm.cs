// RMS normalisation (Zhang & Sennrich 2019), y = x·rstd·gamma with rstd = 1/√(mean(x²) + eps), forward
// (saving rstd per row) and backward adding into dx and dgamma.
using System.Runtime.Intrinsics;

namespace Lodestar.Kernels;

public static unsafe class RmsNorm
{
    /// <summary>y (N,C) = x·rstd·gamma per row; rstd (N) receives 1/√(mean(x²) + eps).</summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, Span<float> y, Span<float> rstd, int rows, int cols, float eps = 1e-6f)
    {
        NormChecks.Rows(x.Length, y.Length, rows, rstd.Length, gamma.Length, rows, cols);
        fixed (float* xp = x, gp = gamma, yp = y, rp = rstd)
        {
            if (Vector512.IsHardwareAccelerated) Forward<Simd512, Vector512<float>>(xp, gp, yp, rp, rows, cols, eps);
            else if (Vector256.IsHardwareAccelerated) Forward<Simd256, Vector256<float>>(xp, gp, yp, rp, rows, cols, eps);
            else Forward<Simd128, Vector128<float>>(xp, gp, yp, rp, rows, cols, eps);
        }
    }

    /// <summary>Adds into dx (N,C) and dgamma (C) given dy (N,C) and the forward's x, gamma and rstd.</summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> rstd,
        Span<float> dx, Span<float> dgamma, int rows, int cols)
    {
        NormChecks.Rows(x.Length, dx.Length, rows, rstd.Length, gamma.Length, rows, cols);
        SimdLoops.RequireLength(dy.Length, rows * cols, nameof(dy));
        SimdLoops.RequireLength(dgamma.Length, cols, nameof(dgamma));
        fixed (float* dyp = dy, xp = x, gp = gamma, rp = rstd, dxp = dx, dgp = dgamma)
        {
            if (Vector512.IsHardwareAccelerated) Backward<Simd512, Vector512<float>>(dyp, xp, gp, rp, dxp, dgp, rows, cols);
            else if (Vector256.IsHardwareAccelerated) Backward<Simd256, Vector256<float>>(dyp, xp, gp, rp, dxp, dgp, rows, cols);
            else Backward<Simd128, Vector128<float>>(dyp, xp, gp, rp, dxp, dgp, rows, cols);
        }
    }

    private static void Forward<TSimd, TVec>(float* x, float* gamma, float* y, float* rstd, int rows, int cols, float eps)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        for (int r = 0; r < rows; r++)
        {
            float* xr = x + (long)r * cols, yr = y + (long)r * cols;
            var row = new ReadOnlySpan<float>(xr, cols);
            float s = 1f / MathF.Sqrt(Reductions.SumOfSquares(row) / cols + eps);
            rstd[r] = s;
            TVec sv = TSimd.Broadcast(s);
            int c = 0;
            for (; c + w <= cols; c += w)
            {
                TSimd.Store(TSimd.Multiply(TSimd.Multiply(TSimd.Load(ref xr[c]), sv), TSimd.Load(ref gamma[c])), ref yr[c]);
            }
            for (; c < cols; c++) yr[c] = xr[c] * s * gamma[c];
        }
    }

    private static void Backward<TSimd, TVec>(float* dy, float* x, float* gamma, float* rstd, float* dx, float* dgamma, int rows, int cols)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        for (int r = 0; r < rows; r++)
        {
            float* dyr = dy + (long)r * cols, xr = x + (long)r * cols, dxr = dx + (long)r * cols;
            float s = rstd[r];
            TVec sv = TSimd.Broadcast(s);
            // norm = x·rstd, dnorm = gamma·dy: dx += rstd·(dnorm − norm·mean(dnorm·norm)); dgamma += norm·dy.
            TVec acc = TSimd.Zero;
            int c = 0;
            for (; c + w <= cols; c += w)
            {
                TVec norm = TSimd.Multiply(TSimd.Load(ref xr[c]), sv);
                acc = TSimd.MultiplyAdd(TSimd.Multiply(TSimd.Load(ref gamma[c]), TSimd.Load(ref dyr[c])), norm, acc);
            }
            float dnormNorm = TSimd.Sum(acc);
            for (; c < cols; c++) dnormNorm += gamma[c] * dyr[c] * xr[c] * s;
            float dnormNormMean = dnormNorm / cols;
            TVec dnm = TSimd.Broadcast(dnormNormMean);
            for (c = 0; c + w <= cols; c += w)
            {
                TVec dyv = TSimd.Load(ref dyr[c]);
                TVec norm = TSimd.Multiply(TSimd.Load(ref xr[c]), sv);
                TSimd.Store(TSimd.MultiplyAdd(norm, dyv, TSimd.Load(ref dgamma[c])), ref dgamma[c]);
                TVec term = TSimd.Subtract(TSimd.Multiply(TSimd.Load(ref gamma[c]), dyv), TSimd.Multiply(norm, dnm));
                TSimd.Store(TSimd.MultiplyAdd(term, sv, TSimd.Load(ref dxr[c])), ref dxr[c]);
            }
            for (; c < cols; c++)
            {
                float norm = xr[c] * s;
                dgamma[c] += norm * dyr[c];
                dxr[c] += (gamma[c] * dyr[c] - norm * dnormNormMean) * s;
            }
        }
    }
}
