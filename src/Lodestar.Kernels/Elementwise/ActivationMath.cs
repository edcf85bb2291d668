// Vector forms of the transcendental pieces activations need (logistic, tanh, erf), built on the vector
// exp so one formula serves every width; the scalar forms use the same formulas for the remainders.
namespace Lodestar.Kernels;

internal static class ActivationMath
{
    /// <summary>σ(x) = 1/(1+e^{−x}); e^{−x} = ∞ for very negative x gives exactly 0.</summary>
    public static TVec Sigmoid<TSimd, TVec>(TVec x) where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        TVec one = TSimd.Broadcast(1f);
        return TSimd.Divide(one, TSimd.Add(one, TSimd.Exp(TSimd.Subtract(TSimd.Zero, x))));
    }

    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>tanh(u) = sign(u)(1 − e)/(1 + e) with e = e^{−2|u|} ∈ (0,1]: no overflow at any u.</summary>
    public static TVec Tanh<TSimd, TVec>(TVec u) where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        TVec one = TSimd.Broadcast(1f);
        TVec e = TSimd.Exp(TSimd.Multiply(TSimd.Broadcast(-2f), TSimd.Abs(u)));
        return TSimd.CopySign(TSimd.Divide(TSimd.Subtract(one, e), TSimd.Add(one, e)), u);
    }

    /// <summary>tanh(u) and 1 − tanh²(u) from one e = e^{−2|u|} and one division (r = 1/(1 + e)):
    /// tanh = sign(u)(1 − e)·r, sech² = 4e·r², the same formulas as Tanh and Sech2.</summary>
    public static TVec TanhAndSech2<TSimd, TVec>(TVec u, out TVec sech2) where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        TVec one = TSimd.Broadcast(1f);
        TVec e = TSimd.Exp(TSimd.Multiply(TSimd.Broadcast(-2f), TSimd.Abs(u)));
        TVec r = TSimd.Divide(one, TSimd.Add(one, e));
        sech2 = TSimd.Multiply(TSimd.Multiply(TSimd.Broadcast(4f), e), TSimd.Multiply(r, r));
        return TSimd.CopySign(TSimd.Multiply(TSimd.Subtract(one, e), r), u);
    }

    public static float Sech2(float u)
    {
        float e = MathF.Exp(-2f * MathF.Abs(u));
        return 4f * e / ((1f + e) * (1f + e));
    }

    public static float Tanh(float u) => MathF.Tanh(u);

    // Abramowitz & Stegun 7.1.26: erf(x) ≈ 1 − (a1·t + … + a5·t⁵)·e^{−x²}, t = 1/(1+p·x), |error| ≤ 1.5e-7.
    private const float P = 0.3275911f, A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;

    public static TVec Erf<TSimd, TVec>(TVec x) where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        TVec one = TSimd.Broadcast(1f);
        TVec a = TSimd.Abs(x);
        TVec t = TSimd.Divide(one, TSimd.MultiplyAdd(TSimd.Broadcast(P), a, one));
        TVec poly = TSimd.MultiplyAdd(TSimd.Broadcast(A5), t, TSimd.Broadcast(A4));
        poly = TSimd.MultiplyAdd(poly, t, TSimd.Broadcast(A3));
        poly = TSimd.MultiplyAdd(poly, t, TSimd.Broadcast(A2));
        poly = TSimd.MultiplyAdd(poly, t, TSimd.Broadcast(A1));
        poly = TSimd.Multiply(poly, t);
        TVec y = TSimd.Subtract(one, TSimd.Multiply(poly, TSimd.Exp(TSimd.Subtract(TSimd.Zero, TSimd.Multiply(a, a)))));
        return TSimd.CopySign(y, x);
    }

    public static float Erf(float x)
    {
        float a = MathF.Abs(x);
        float t = 1f / MathF.FusedMultiplyAdd(P, a, 1f);
        float poly = ((((A5 * t + A4) * t + A3) * t + A2) * t + A1) * t;
        return MathF.CopySign(1f - poly * MathF.Exp(-a * a), x);
    }
}
