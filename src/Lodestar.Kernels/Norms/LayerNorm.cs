// Layer normalisation (Ba et al. 2016) over the last dimension, forward (saving mean and 1/σ per row) and
// backward in the llm.c form: dx, dgamma and dbeta are all added into, never overwritten.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lodestar.Kernels;

public static unsafe class LayerNorm
{
    /// <summary>
    /// y (N,C) = (x − mean)·rstd·gamma + beta per row of x (N,C); gamma and beta are (C);
    /// mean and rstd (N) receive each row's mean and 1/√(var + eps) (biased variance, as PyTorch).
    /// </summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y,
        Span<float> mean, Span<float> rstd, int rows, int cols, float eps = 1e-5f)
    {
        NormChecks.Rows(x.Length, y.Length, mean.Length, rstd.Length, gamma.Length, rows, cols);
        SimdLoops.RequireLength(beta.Length, cols, nameof(beta));
        fixed (float* xp = x, gp = gamma, bp = beta, yp = y, mp = mean, rp = rstd)
        {
            if (Vector512.IsHardwareAccelerated) Forward<Simd512, Vector512<float>>(xp, gp, bp, yp, mp, rp, rows, cols, eps);
            else if (Vector256.IsHardwareAccelerated) Forward<Simd256, Vector256<float>>(xp, gp, bp, yp, mp, rp, rows, cols, eps);
            else Forward<Simd128, Vector128<float>>(xp, gp, bp, yp, mp, rp, rows, cols, eps);
        }
    }

    /// <summary>Adds into dx (N,C), dgamma (C) and dbeta (C) given dy (N,C) and the forward's x, gamma, mean, rstd.</summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> rstd, Span<float> dx, Span<float> dgamma, Span<float> dbeta, int rows, int cols)
    {
        NormChecks.Rows(x.Length, dx.Length, mean.Length, rstd.Length, gamma.Length, rows, cols);
        SimdLoops.RequireLength(dy.Length, rows * cols, nameof(dy));
        SimdLoops.RequireLength(dgamma.Length, cols, nameof(dgamma));
        SimdLoops.RequireLength(dbeta.Length, cols, nameof(dbeta));
        fixed (float* dyp = dy, xp = x, gp = gamma, mp = mean, rp = rstd, dxp = dx, dgp = dgamma, dbp = dbeta)
        {
            if (Vector512.IsHardwareAccelerated) Backward<Simd512, Vector512<float>>(dyp, xp, gp, mp, rp, dxp, dgp, dbp, rows, cols);
            else if (Vector256.IsHardwareAccelerated) Backward<Simd256, Vector256<float>>(dyp, xp, gp, mp, rp, dxp, dgp, dbp, rows, cols);
            else Backward<Simd128, Vector128<float>>(dyp, xp, gp, mp, rp, dxp, dgp, dbp, rows, cols);
        }
    }

    // Optimized on first call: called only a few times per step, tiered JIT would leave it at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Forward<TSimd, TVec>(float* x, float* gamma, float* beta, float* y, float* mean, float* rstd, int rows, int cols, float eps)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        for (int r = 0; r < rows; r++)
        {
            float* xr = x + (long)r * cols, yr = y + (long)r * cols;
            float m = Reductions.Sum(new ReadOnlySpan<float>(xr, cols)) / cols;
            // Two-pass variance Σ(x − m)²/C: no cancellation for rows with a large mean.
            TVec mv = TSimd.Broadcast(m), acc = TSimd.Zero;
            int c = 0;
            for (; c + w <= cols; c += w)
            {
                TVec d = TSimd.Subtract(TSimd.Load(ref xr[c]), mv);
                acc = TSimd.MultiplyAdd(d, d, acc);
            }
            float variance = TSimd.Sum(acc);
            for (; c < cols; c++) variance += (xr[c] - m) * (xr[c] - m);
            float s = 1f / MathF.Sqrt(variance / cols + eps);
            mean[r] = m;
            rstd[r] = s;
            TVec sv = TSimd.Broadcast(s);
            for (c = 0; c + w <= cols; c += w)
            {
                TVec norm = TSimd.Multiply(TSimd.Subtract(TSimd.Load(ref xr[c]), mv), sv);
                TSimd.Store(TSimd.MultiplyAdd(norm, TSimd.Load(ref gamma[c]), TSimd.Load(ref beta[c])), ref yr[c]);
            }
            for (; c < cols; c++) yr[c] = (xr[c] - m) * s * gamma[c] + beta[c];
        }
    }

    // Optimized on first call: called only a few times per step, tiered JIT would leave it at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Backward<TSimd, TVec>(float* dy, float* x, float* gamma, float* mean, float* rstd, float* dx, float* dgamma, float* dbeta, int rows, int cols)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        for (int r = 0; r < rows; r++)
        {
            float* dyr = dy + (long)r * cols, xr = x + (long)r * cols, dxr = dx + (long)r * cols;
            TVec mv = TSimd.Broadcast(mean[r]), sv = TSimd.Broadcast(rstd[r]);
            // norm = (x − mean)·rstd, dnorm = gamma·dy; two row means feed dx.
            TVec sumD = TSimd.Zero, sumDN = TSimd.Zero;
            int c = 0;
            for (; c + w <= cols; c += w)
            {
                TVec norm = TSimd.Multiply(TSimd.Subtract(TSimd.Load(ref xr[c]), mv), sv);
                TVec dnorm = TSimd.Multiply(TSimd.Load(ref gamma[c]), TSimd.Load(ref dyr[c]));
                sumD = TSimd.Add(sumD, dnorm);
                sumDN = TSimd.MultiplyAdd(dnorm, norm, sumDN);
            }
            float dnormMean = TSimd.Sum(sumD), dnormNormMean = TSimd.Sum(sumDN);
            for (; c < cols; c++)
            {
                float norm = (xr[c] - mean[r]) * rstd[r], dnorm = gamma[c] * dyr[c];
                dnormMean += dnorm;
                dnormNormMean += dnorm * norm;
            }
            dnormMean /= cols;
            dnormNormMean /= cols;
            // dx += (dnorm − mean(dnorm) − norm·mean(dnorm·norm))·rstd; dgamma += norm·dy; dbeta += dy.
            TVec dm = TSimd.Broadcast(dnormMean), dnm = TSimd.Broadcast(dnormNormMean);
            for (c = 0; c + w <= cols; c += w)
            {
                TVec dyv = TSimd.Load(ref dyr[c]);
                TVec norm = TSimd.Multiply(TSimd.Subtract(TSimd.Load(ref xr[c]), mv), sv);
                TVec dnorm = TSimd.Multiply(TSimd.Load(ref gamma[c]), dyv);
                TSimd.Store(TSimd.Add(TSimd.Load(ref dbeta[c]), dyv), ref dbeta[c]);
                TSimd.Store(TSimd.MultiplyAdd(norm, dyv, TSimd.Load(ref dgamma[c])), ref dgamma[c]);
                TVec term = TSimd.Subtract(TSimd.Subtract(dnorm, dm), TSimd.Multiply(norm, dnm));
                TSimd.Store(TSimd.MultiplyAdd(term, sv, TSimd.Load(ref dxr[c])), ref dxr[c]);
            }
            for (; c < cols; c++)
            {
                float norm = (xr[c] - mean[r]) * rstd[r], dnorm = gamma[c] * dyr[c];
                dbeta[c] += dyr[c];
                dgamma[c] += norm * dyr[c];
                dxr[c] += (dnorm - dnormMean - norm * dnormNormMean) * rstd[r];
            }
        }
    }
}

/// <summary>Shape checks shared by the row normalisations (LayerNorm, RmsNorm).</summary>
internal static class NormChecks
{
    public static void Rows(int xLength, int yLength, int meanLength, int rstdLength, int gammaLength, int rows, int cols)
    {
        if (rows < 0 || cols <= 0) throw new ArgumentOutOfRangeException(nameof(cols), $"normalisation: rows={rows} must be ≥ 0 and cols={cols} ≥ 1");
        SimdLoops.RequireLength(xLength, rows * cols, "x");
        SimdLoops.RequireLength(yLength, rows * cols, "y/dx");
        SimdLoops.RequireLength(meanLength, rows, "mean");
        SimdLoops.RequireLength(rstdLength, rows, "rstd");
        SimdLoops.RequireLength(gammaLength, cols, "gamma");
    }
}
