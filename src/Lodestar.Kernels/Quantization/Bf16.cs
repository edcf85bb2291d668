// bfloat16 conversions: the top 16 bits of an IEEE float32, rounded to nearest-even on the way down
// (NaNs stay quiet NaNs), so weights can be stored in half the memory and widened exactly by a shift.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Lodestar.Kernels;

public static class Bf16
{
    /// <summary>float32 → bf16 bits, round-to-nearest-even; NaN → quiet NaN with the same sign.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FromFloat(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000)
        {
            return (ushort)((bits >> 16) | 0x0040);
        }
        // Adding 0x7FFF plus the lowest kept bit rounds ties to even; overflow to the exponent is correct rounding.
        uint roundingBias = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    /// <summary>bf16 bits → float32 (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToFloat(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);

    /// <summary>dst[i] = FromFloat(src[i]).</summary>
    public static void FromFloat(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        CheckLengths(source.Length, destination.Length);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var exponentMask = Vector256.Create(0x7FFF_FFFFu);
            var infinity = Vector256.Create(0x7F80_0000u);
            var quiet = Vector256.Create(0x0040u);
            var one = Vector256.Create(1u);
            var bias = Vector256.Create(0x7FFFu);
            ref uint src = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(source));
            ref ushort dst = ref MemoryMarshal.GetReference(destination);
            for (; i + 8 <= source.Length; i += 8)
            {
                var bits = Vector256.LoadUnsafe(ref src, (nuint)i);
                var rounded = (bits + bias + ((bits >> 16) & one)) >> 16;
                var nan = Vector256.GreaterThan(bits & exponentMask, infinity);
                var result = Vector256.ConditionalSelect(nan, (bits >> 16) | quiet, rounded);
                var narrowed = Vector128.Narrow(result.GetLower(), result.GetUpper());
                narrowed.StoreUnsafe(ref dst, (nuint)i);
            }
        }
        for (; i < source.Length; i++)
        {
            destination[i] = FromFloat(source[i]);
        }
    }

    /// <summary>dst[i] = ToFloat(src[i]).</summary>
    public static void ToFloat(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = ToFloat(source[i]);
        }
    }

    private static void CheckLengths(int source, int destination)
    {
        if (destination < source)
        {
            throw new ArgumentException($"destination has {destination} elements but source has {source}.", nameof(destination));
        }
    }
}
