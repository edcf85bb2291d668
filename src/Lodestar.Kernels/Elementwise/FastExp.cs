// e^x for the vector kernels (softmax, attention, GELU, SiLU): Cephes' expf range reduction and degree-5
// polynomial (≤ 2 ulp), ~15 vector ops where the runtime's Vector512.Exp widens to double and costs several times more.
using System.Runtime.CompilerServices;

namespace Lodestar.Kernels;

internal static class FastExp
{
    // Inputs outside [Lowest, Highest] return exactly 0 or +∞ (e^x there is subnormal or within 0.7 of the float
    // range's end), so the scale 2ⁿ below always stays a normal float.
    internal const float Lowest = -87f, Highest = 88f;

    // x = n·ln2 + r with |r| ≤ ln2/2; ln2 split in a short head and a tail so n·Ln2Hi is exact.
    private const float Log2E = 1.44269504088896341f, Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f;

    // x·log2e + 1.5·2²³ rounds to the nearest integer n, held in the low mantissa bits (exact for |n| < 2²²).
    private const float RoundingShift = 12582912f;

    // Cephes expf: e^r ≈ 1 + r + r²·(C0 + C1·r + … + C5·r⁵) on [−ln2/2, ln2/2].
    private const float C0 = 5.0000001201e-1f, C1 = 1.6666665459e-1f, C2 = 4.1665795894e-2f, C3 = 8.3334519073e-3f,
        C4 = 1.3981999507e-3f, C5 = 1.9875691500e-4f;

    /// <summary>e^x per lane; NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Exp<TSimd, TVec>(TVec x) where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        TVec clamped = TSimd.Min(TSimd.Max(x, TSimd.Broadcast(Lowest)), TSimd.Broadcast(Highest));
        TVec shifted = TSimd.MultiplyAdd(clamped, TSimd.Broadcast(Log2E), TSimd.Broadcast(RoundingShift));
        TVec n = TSimd.Subtract(shifted, TSimd.Broadcast(RoundingShift));
        TVec r = TSimd.MultiplyAdd(n, TSimd.Broadcast(-Ln2Hi), clamped);
        r = TSimd.MultiplyAdd(n, TSimd.Broadcast(-Ln2Lo), r);
        TVec p = TSimd.MultiplyAdd(TSimd.Broadcast(C5), r, TSimd.Broadcast(C4));
        p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(C3));
        p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(C2));
        p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(C1));
        p = TSimd.MultiplyAdd(p, r, TSimd.Broadcast(C0));
        p = TSimd.Add(TSimd.MultiplyAdd(p, TSimd.Multiply(r, r), r), TSimd.Broadcast(1f));
        TVec y = TSimd.ScaleByRoundedExponent(p, shifted);
        y = TSimd.SelectWhereLess(x, TSimd.Broadcast(Lowest), TSimd.Zero, y);
        return TSimd.SelectWhereLess(TSimd.Broadcast(Highest), x, TSimd.Broadcast(float.PositiveInfinity), y);
    }

    /// <summary>Scalar twin of Exp, operation for operation (the same bits on every input).</summary>
    public static float Exp(float x)
    {
        float clamped = MathF.Min(MathF.Max(x, Lowest), Highest);
        float shifted = MathF.FusedMultiplyAdd(clamped, Log2E, RoundingShift);
        float n = shifted - RoundingShift;
        float r = MathF.FusedMultiplyAdd(n, -Ln2Hi, clamped);
        r = MathF.FusedMultiplyAdd(n, -Ln2Lo, r);
        float p = MathF.FusedMultiplyAdd(C5, r, C4);
        p = MathF.FusedMultiplyAdd(p, r, C3);
        p = MathF.FusedMultiplyAdd(p, r, C2);
        p = MathF.FusedMultiplyAdd(p, r, C1);
        p = MathF.FusedMultiplyAdd(p, r, C0);
        p = MathF.FusedMultiplyAdd(p, r * r, r) + 1f;
        float y = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(p) + (BitConverter.SingleToInt32Bits(shifted) << 23));
        if (float.IsNaN(x))
        {
            return x;
        }
        return x < Lowest ? 0f : Highest < x ? float.PositiveInfinity : y;
    }
}
