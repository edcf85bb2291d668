// Element-wise arithmetic over spans (add, multiply, scale, axpy, bias over rows), vectorised through the
// shared loops; the building blocks of residuals, gating and gradient accumulation.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Lodestar.Kernels;

public static class Elementwise
{
    /// <summary>destination = x + y (all length n).</summary>
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        SimdLoops.RequireLength(y.Length, x.Length, nameof(y));
        SimdLoops.RequireLength(destination.Length, x.Length, nameof(destination));
        SimdLoops.Binary<AddOperator>(x, y, destination);
    }

    /// <summary>destination = x ∘ y (all length n).</summary>
    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        SimdLoops.RequireLength(y.Length, x.Length, nameof(y));
        SimdLoops.RequireLength(destination.Length, x.Length, nameof(destination));
        SimdLoops.Binary<MultiplyOperator>(x, y, destination);
    }

    /// <summary>destination = alpha·x.</summary>
    public static void Scale(ReadOnlySpan<float> x, float alpha, Span<float> destination)
    {
        SimdLoops.RequireLength(destination.Length, x.Length, nameof(destination));
        Axpby(alpha, x, 0f, destination);
    }

    /// <summary>y += alpha·x (BLAS axpy): how gradients accumulate.</summary>
    public static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        SimdLoops.RequireLength(y.Length, x.Length, nameof(y));
        Axpby(alpha, x, 1f, y);
    }

    /// <summary>x (N×C) += bias (C) on every row.</summary>
    public static void AddBiasRows(Span<float> x, ReadOnlySpan<float> bias, int rows, int cols)
    {
        SimdLoops.RequireLength(x.Length, rows * cols, nameof(x));
        SimdLoops.RequireLength(bias.Length, cols, nameof(bias));
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * cols, cols);
            SimdLoops.Binary<AddOperator>(row, bias, row);
        }
    }

    /// <summary>Backward of AddBiasRows: dBias (C) += Σ_rows dOut (N×C).</summary>
    public static void AddBiasRowsBackward(ReadOnlySpan<float> dOut, Span<float> dBias, int rows, int cols)
    {
        SimdLoops.RequireLength(dOut.Length, rows * cols, nameof(dOut));
        SimdLoops.RequireLength(dBias.Length, cols, nameof(dBias));
        for (int r = 0; r < rows; r++)
        {
            SimdLoops.Binary<AddOperator>(dBias[..cols], dOut.Slice(r * cols, cols), dBias);
        }
    }

    // y = alpha·x + beta·y; beta == 0 overwrites y (NaNs in y ignored).
    private static void Axpby(float alpha, ReadOnlySpan<float> x, float beta, Span<float> y)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Axpby<Simd512, Vector512<float>>(alpha, x, beta, y);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Axpby<Simd256, Vector256<float>>(alpha, x, beta, y);
        }
        else
        {
            Axpby<Simd128, Vector128<float>>(alpha, x, beta, y);
        }
    }

    private static void Axpby<TSimd, TVec>(float alpha, ReadOnlySpan<float> x, float beta, Span<float> y)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int n = x.Length, w = TSimd.Width, i = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        TVec a = TSimd.Broadcast(alpha), b = TSimd.Broadcast(beta);
        for (; i + w <= n; i += w)
        {
            TVec old = beta == 0f ? TSimd.Zero : TSimd.Multiply(TSimd.Load(ref Unsafe.Add(ref yr, i)), b);
            TSimd.Store(TSimd.MultiplyAdd(TSimd.Load(ref Unsafe.Add(ref xr, i)), a, old), ref Unsafe.Add(ref yr, i));
        }
        for (; i < n; i++)
        {
            y[i] = MathF.FusedMultiplyAdd(x[i], alpha, beta == 0f ? 0f : y[i] * beta);
        }
    }

    private readonly struct AddOperator : IBinaryOperator
    {
        public static float Invoke(float x, float y) => x + y;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TSimd, TVec>(TVec x, TVec y) where TSimd : struct, IFloatSimd<TVec> where TVec : struct => TSimd.Add(x, y);
    }

    private readonly struct MultiplyOperator : IBinaryOperator
    {
        public static float Invoke(float x, float y) => x * y;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVec Invoke<TSimd, TVec>(TVec x, TVec y) where TSimd : struct, IFloatSimd<TVec> where TVec : struct => TSimd.Multiply(x, y);
    }
}
