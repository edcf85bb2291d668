// Shared loops for element-wise operators and reductions: one generic loop per arity handles the vector
// body and the scalar remainder once, and picks Vector512, Vector256 or Vector128 for the whole call.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lodestar.Kernels;

/// <summary>f(x) with a scalar and a vector form that agree to float rounding.</summary>
internal interface IUnaryOperator
{
    static abstract float Invoke(float x);
    static abstract TVec Invoke<TSimd, TVec>(TVec x) where TSimd : struct, IFloatSimd<TVec> where TVec : struct;
}

/// <summary>f(x, y) with a scalar and a vector form.</summary>
internal interface IBinaryOperator
{
    static abstract float Invoke(float x, float y);
    static abstract TVec Invoke<TSimd, TVec>(TVec x, TVec y) where TSimd : struct, IFloatSimd<TVec> where TVec : struct;
}

internal static class SimdLoops
{
    /// <summary>destination[i] = TOp(x[i]).</summary>
    public static void Unary<TOp>(ReadOnlySpan<float> x, Span<float> destination) where TOp : struct, IUnaryOperator
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Unary<TOp, Simd512, Vector512<float>>(x, destination);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Unary<TOp, Simd256, Vector256<float>>(x, destination);
        }
        else
        {
            Unary<TOp, Simd128, Vector128<float>>(x, destination);
        }
    }

    // Optimized on first call: called only a few times per step, tiered JIT would leave it at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Unary<TOp, TSimd, TVec>(ReadOnlySpan<float> x, Span<float> destination)
        where TOp : struct, IUnaryOperator where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int n = x.Length, w = TSimd.Width, i = 0;
        ref float xr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        ref float dr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
        for (; i + w <= n; i += w)
        {
            TSimd.Store(TOp.Invoke<TSimd, TVec>(TSimd.Load(ref Unsafe.Add(ref xr, i))), ref Unsafe.Add(ref dr, i));
        }
        for (; i < n; i++)
        {
            Unsafe.Add(ref dr, i) = TOp.Invoke(Unsafe.Add(ref xr, i));
        }
    }

    /// <summary>destination[i] = TOp(x[i], y[i]).</summary>
    public static void Binary<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) where TOp : struct, IBinaryOperator =>
        BinaryDispatch<TOp>(x, y, destination, accumulate: false);

    /// <summary>destination[i] += TOp(x[i], y[i]): the accumulate step of every element-wise backward.</summary>
    public static void AccumulateBinary<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) where TOp : struct, IBinaryOperator =>
        BinaryDispatch<TOp>(x, y, destination, accumulate: true);

    private static void BinaryDispatch<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination, bool accumulate)
        where TOp : struct, IBinaryOperator
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Binary<TOp, Simd512, Vector512<float>>(x, y, destination, accumulate);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Binary<TOp, Simd256, Vector256<float>>(x, y, destination, accumulate);
        }
        else
        {
            Binary<TOp, Simd128, Vector128<float>>(x, y, destination, accumulate);
        }
    }

    // Optimized on first call: called only a few times per step, tiered JIT would leave it at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Binary<TOp, TSimd, TVec>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination, bool accumulate)
        where TOp : struct, IBinaryOperator where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int n = x.Length, w = TSimd.Width, i = 0;
        ref float xr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        ref float yr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(y);
        ref float dr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
        for (; i + w <= n; i += w)
        {
            var result = TOp.Invoke<TSimd, TVec>(TSimd.Load(ref Unsafe.Add(ref xr, i)), TSimd.Load(ref Unsafe.Add(ref yr, i)));
            TSimd.Store(accumulate ? TSimd.Add(TSimd.Load(ref Unsafe.Add(ref dr, i)), result) : result, ref Unsafe.Add(ref dr, i));
        }
        for (; i < n; i++)
        {
            float result = TOp.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
            Unsafe.Add(ref dr, i) = accumulate ? Unsafe.Add(ref dr, i) + result : result;
        }
    }

    /// <summary>Σ_i TOp(x[i], y[i]) with four vector accumulators (pass x as y for one-input sums).</summary>
    public static float SumOf<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y) where TOp : struct, IBinaryOperator
    {
        if (Vector512.IsHardwareAccelerated)
        {
            return SumOf<TOp, Simd512, Vector512<float>>(x, y);
        }
        return Vector256.IsHardwareAccelerated ? SumOf<TOp, Simd256, Vector256<float>>(x, y) : SumOf<TOp, Simd128, Vector128<float>>(x, y);
    }

    // Optimized on first call: called only a few times per step, tiered JIT would leave it at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float SumOf<TOp, TSimd, TVec>(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
        where TOp : struct, IBinaryOperator where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int n = x.Length, w = TSimd.Width, i = 0;
        ref float xr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        ref float yr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(y);
        TVec a0 = TSimd.Zero, a1 = TSimd.Zero, a2 = TSimd.Zero, a3 = TSimd.Zero;
        for (; i + 4 * w <= n; i += 4 * w)
        {
            a0 = TSimd.Add(a0, TOp.Invoke<TSimd, TVec>(TSimd.Load(ref Unsafe.Add(ref xr, i)), TSimd.Load(ref Unsafe.Add(ref yr, i))));
            a1 = TSimd.Add(a1, TOp.Invoke<TSimd, TVec>(TSimd.Load(ref Unsafe.Add(ref xr, i + w)), TSimd.Load(ref Unsafe.Add(ref yr, i + w))));
            a2 = TSimd.Add(a2, TOp.Invoke<TSimd, TVec>(TSimd.Load(ref Unsafe.Add(ref xr, i + 2 * w)), TSimd.Load(ref Unsafe.Add(ref yr, i + 2 * w))));
            a3 = TSimd.Add(a3, TOp.Invoke<TSimd, TVec>(TSimd.Load(ref Unsafe.Add(ref xr, i + 3 * w)), TSimd.Load(ref Unsafe.Add(ref yr, i + 3 * w))));
        }
        for (; i + w <= n; i += w)
        {
            a0 = TSimd.Add(a0, TOp.Invoke<TSimd, TVec>(TSimd.Load(ref Unsafe.Add(ref xr, i)), TSimd.Load(ref Unsafe.Add(ref yr, i))));
        }
        float sum = TSimd.Sum(TSimd.Add(TSimd.Add(a0, a1), TSimd.Add(a2, a3)));
        for (; i < n; i++)
        {
            sum += TOp.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
        }
        return sum;
    }

    /// <summary>Throws naming the argument when a destination or second operand is shorter than x.</summary>
    public static void RequireLength(int actual, int expected, string name)
    {
        if (actual < expected)
        {
            throw new ArgumentException($"{name} has {actual} elements, expected at least {expected}", name);
        }
    }
}
