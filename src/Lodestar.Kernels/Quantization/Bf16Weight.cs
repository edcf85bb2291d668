// A linear layer's weight in bf16 for inference: float32 inputs times bf16 weights (round-to-nearest-even, the top 16
// bits of each float) on Bf16Gemm, half the weight bytes of float32 with no calibration.
namespace Lodestar.Kernels;

public sealed class Bf16Weight : ILowPrecisionWeight
{
    /// <param name="weight">(outFeatures × inFeatures) row-major, nn.Linear layout.</param>
    public Bf16Weight(ReadOnlySpan<float> weight, int outFeatures, int inFeatures)
    {
        GemmShape.CheckDimensions(outFeatures, inFeatures, 0);
        GemmShape.CheckMatrix("weight", "inFeatures", outFeatures, inFeatures, weight.Length, inFeatures);
        (OutFeatures, InFeatures) = (outFeatures, inFeatures);
        Values = new ushort[outFeatures * inFeatures];
        Bf16.FromFloat(weight[..Values.Length], Values);
    }

    private Bf16Weight(ushort[] values, int outFeatures, int inFeatures) => (Values, OutFeatures, InFeatures) = (values, outFeatures, inFeatures);

    /// <summary>A weight from stored bf16 bits (a low-precision checkpoint), checked for its shape.</summary>
    public static Bf16Weight FromBits(ushort[] values, int outFeatures, int inFeatures)
    {
        GemmShape.CheckDimensions(outFeatures, inFeatures, 0);
        return values.Length == outFeatures * inFeatures ? new Bf16Weight(values, outFeatures, inFeatures)
            : throw new ArgumentException($"bf16 weight ({outFeatures} × {inFeatures}): {values.Length} values, expected {outFeatures * inFeatures}");
    }

    /// <summary>The float32 weight the bf16 bits stand for.</summary>
    public void Dequantize(Span<float> weight) => Bf16.ToFloat(Values, weight);

    public int OutFeatures { get; }

    public int InFeatures { get; }

    /// <summary>(OutFeatures × InFeatures) bf16 bits.</summary>
    public ushort[] Values { get; }

    public string Kind => "bf16";

    public void Multiply(int rows, ReadOnlySpan<float> x, Span<float> y) =>
        Bf16Gemm.Multiply(rows, OutFeatures, InFeatures, x, InFeatures, Values, InFeatures, y, OutFeatures);
}
