// Row softmax and log-softmax over (N,C), forward and backward, with an optional additive or boolean mask;
// a row with every entry masked yields zeros (not NaN). Backward adds into dx.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lodestar.Kernels;

public static unsafe class Softmax
{
    /// <summary>
    /// y (N,C) = softmax over each row of x (N,C) + additiveMask, with entries where allowed is false set to −∞
    /// first. Each mask is empty, (C) shared by all rows, or (N,C).
    /// </summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int cols,
        ReadOnlySpan<float> additiveMask = default, ReadOnlySpan<bool> allowed = default) =>
        ForwardDispatch(x, y, rows, cols, additiveMask, allowed, log: false);

    /// <summary>y = log softmax(x) per row (for cross-entropy); fully masked rows give −∞.</summary>
    public static void LogForward(ReadOnlySpan<float> x, Span<float> y, int rows, int cols,
        ReadOnlySpan<float> additiveMask = default, ReadOnlySpan<bool> allowed = default) =>
        ForwardDispatch(x, y, rows, cols, additiveMask, allowed, log: true);

    /// <summary>dx += y ∘ (dy − Σ_j y_j·dy_j) per row, where y is the forward's softmax output.</summary>
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rows, int cols) =>
        BackwardDispatch(y, dy, dx, rows, cols, log: false);

    /// <summary>dx += dy − exp(y)·Σ_j dy_j per row, where y is the forward's log-softmax output.</summary>
    public static void LogBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rows, int cols) =>
        BackwardDispatch(y, dy, dx, rows, cols, log: true);

    private static void ForwardDispatch(ReadOnlySpan<float> x, Span<float> y, int rows, int cols,
        ReadOnlySpan<float> additiveMask, ReadOnlySpan<bool> allowed, bool log)
    {
        Validate(x.Length, y.Length, rows, cols, additiveMask.Length, allowed.Length);
        fixed (float* xp = x, yp = y, mp = additiveMask)
        fixed (bool* ap = allowed)
        {
            var masks = new RowMasks(mp, additiveMask.Length, ap, allowed.Length, cols);
            if (Vector512.IsHardwareAccelerated) Forward<Simd512, Vector512<float>>(xp, yp, rows, cols, masks, log);
            else if (Vector256.IsHardwareAccelerated) Forward<Simd256, Vector256<float>>(xp, yp, rows, cols, masks, log);
            else Forward<Simd128, Vector128<float>>(xp, yp, rows, cols, masks, log);
        }
    }

    private static void BackwardDispatch(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rows, int cols, bool log)
    {
        Validate(y.Length, dx.Length, rows, cols, 0, 0);
        SimdLoops.RequireLength(dy.Length, rows * cols, nameof(dy));
        fixed (float* yp = y, dyp = dy, dxp = dx)
        {
            if (Vector512.IsHardwareAccelerated) Backward<Simd512, Vector512<float>>(yp, dyp, dxp, rows, cols, log);
            else if (Vector256.IsHardwareAccelerated) Backward<Simd256, Vector256<float>>(yp, dyp, dxp, rows, cols, log);
            else Backward<Simd128, Vector128<float>>(yp, dyp, dxp, rows, cols, log);
        }
    }

    private static void Validate(int xLength, int yLength, int rows, int cols, int maskLength, int allowedLength)
    {
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"softmax: rows={rows}, cols={cols} must be ≥ 0");
        SimdLoops.RequireLength(xLength, rows * cols, "x");
        SimdLoops.RequireLength(yLength, rows * cols, "y/dx");
        if (maskLength != 0 && maskLength != cols && maskLength != rows * cols)
            throw new ArgumentException($"softmax: additiveMask has {maskLength} elements, expected 0, C={cols} or N·C={rows * cols}", "additiveMask");
        if (allowedLength != 0 && allowedLength != cols && allowedLength != rows * cols)
            throw new ArgumentException($"softmax: allowed has {allowedLength} elements, expected 0, C={cols} or N·C={rows * cols}", "allowed");
    }

    /// <summary>Masks of one call; a mask of length C is shared by every row.</summary>
    private readonly struct RowMasks(float* additive, int additiveLength, bool* allowed, int allowedLength, int cols)
    {
        public float* Additive(int row) => additive == null || additiveLength == 0 ? null : additiveLength == cols ? additive : additive + (long)row * cols;
        public bool* Allowed(int row) => allowed == null || allowedLength == 0 ? null : allowedLength == cols ? allowed : allowed + (long)row * cols;
    }

    // Optimized on first call: called only a few times per step, tiered JIT would leave it at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Forward<TSimd, TVec>(float* x, float* y, int rows, int cols, RowMasks masks, bool log)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        for (int r = 0; r < rows; r++)
        {
            float* xr = x + (long)r * cols, yr = y + (long)r * cols;
            float* additive = masks.Additive(r);
            bool* allowed = masks.Allowed(r);
            if (additive != null)
            {
                for (int c = 0; c < cols; c++) yr[c] = xr[c] + additive[c];
            }
            else if (xr != yr)
            {
                new ReadOnlySpan<float>(xr, cols).CopyTo(new Span<float>(yr, cols));
            }
            if (allowed != null)
            {
                for (int c = 0; c < cols; c++) yr[c] = allowed[c] ? yr[c] : float.NegativeInfinity;
            }
            float max = TileMath.Max<TSimd, TVec>(yr, cols);
            if (max == float.NegativeInfinity)
            {
                // Every entry masked: probabilities 0 (log-probabilities −∞), never NaN.
                new Span<float>(yr, cols).Fill(log ? float.NegativeInfinity : 0f);
                continue;
            }
            if (log)
            {
                float sum = TileMath.SumExpShift<TSimd, TVec>(yr, cols, max);
                AddConstant<TSimd, TVec>(yr, cols, -(max + MathF.Log(sum)));
            }
            else
            {
                float sum = TileMath.ExpShiftSum<TSimd, TVec>(yr, cols, max);
                TileMath.Scale<TSimd, TVec>(yr, cols, 1f / sum);
            }
        }
    }

    // Optimized on first call: called only a few times per step, tiered JIT would leave it at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Backward<TSimd, TVec>(float* y, float* dy, float* dx, int rows, int cols, bool log)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        for (int r = 0; r < rows; r++)
        {
            float* yr = y + (long)r * cols, dyr = dy + (long)r * cols, dxr = dx + (long)r * cols;
            // softmax: dx_j += y_j(dy_j − Σ y·dy);  log-softmax: dx_j += dy_j − e^{y_j}·Σ dy.
            float total = log ? Reductions.Sum(new ReadOnlySpan<float>(dyr, cols)) : TileMath.Dot<TSimd, TVec>(yr, dyr, cols);
            TVec totalVector = TSimd.Broadcast(total);
            int c = 0;
            for (; c + w <= cols; c += w)
            {
                TVec yv = TSimd.Load(ref yr[c]), dyv = TSimd.Load(ref dyr[c]), dxv = TSimd.Load(ref dxr[c]);
                TVec update = log
                    ? TSimd.Subtract(dyv, TSimd.Multiply(TSimd.Exp(yv), totalVector))
                    : TSimd.Multiply(yv, TSimd.Subtract(dyv, totalVector));
                TSimd.Store(TSimd.Add(dxv, update), ref dxr[c]);
            }
            for (; c < cols; c++)
            {
                dxr[c] += log ? dyr[c] - MathF.Exp(yr[c]) * total : yr[c] * (dyr[c] - total);
            }
        }
    }

    private static void AddConstant<TSimd, TVec>(float* x, int n, float constant)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width, i = 0;
        TVec k = TSimd.Broadcast(constant);
        for (; i + w <= n; i += w) TSimd.Store(TSimd.Add(TSimd.Load(ref x[i]), k), ref x[i]);
        for (; i < n; i++) x[i] += constant;
    }
}
