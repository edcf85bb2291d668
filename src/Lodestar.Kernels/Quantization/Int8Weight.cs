// A linear layer's weight for int8 inference: s8 per output channel (symmetric, ±127) and how its inputs become u8:
// with one range calibrated on held-out data (static, as deployed int8 models run) or with each row's own range at
// run time (dynamic). The product runs on Int8Gemm with the integer sums exact.
namespace Lodestar.Kernels;

/// <summary>The range of a layer's inputs seen while calibrating; <see cref="ScaleAndZero"/> covers it ∪ {0} in 255 steps.</summary>
public readonly record struct Int8ActivationRange(float Min, float Max)
{
    /// <summary>x ≈ scale·(q − zero) over [Min, Max] ∪ {0}, as Int8Quantize.RowsToU8 chooses per row.</summary>
    public (float Scale, byte Zero) ScaleAndZero()
    {
        float min = Math.Min(Min, 0), max = Math.Max(Max, 0);
        float scale = max > min ? (max - min) / 255 : 1f;
        return (scale, (byte)Math.Clamp((int)MathF.Round(-min / scale), 0, 255));
    }
}

/// <summary>Widens a range to every value it observes (the calibration pass of a layer's inputs).</summary>
public sealed class Int8RangeObserver
{
    public float Min { get; private set; } = float.PositiveInfinity;

    public float Max { get; private set; } = float.NegativeInfinity;

    /// <summary>Values observed so far.</summary>
    public long Count { get; private set; }

    public void Observe(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty)
        {
            return;
        }
        float min = Min, max = Max;
        foreach (float v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        (Min, Max) = (min, max);
        Count += values.Length;
    }

    /// <summary>The observed range; throws when nothing was observed.</summary>
    public Int8ActivationRange Range => Count > 0 ? new(Min, Max)
        : throw new InvalidOperationException("int8 calibration: this layer saw no input during calibration");
}

/// <summary>A linear layer's weight in a lower precision for inference: y (rows × Out) = x (rows × In) · Wᵀ.</summary>
public interface ILowPrecisionWeight
{
    int OutFeatures { get; }

    int InFeatures { get; }

    /// <summary>Its name in profiles and messages: int8, bf16.</summary>
    string Kind { get; }

    void Multiply(int rows, ReadOnlySpan<float> x, Span<float> y);
}

public sealed class Int8Weight : ILowPrecisionWeight
{
    /// <param name="weight">(outFeatures × inFeatures) row-major, nn.Linear layout.</param>
    /// <param name="activations">The calibrated range of the inputs; null quantizes each input row by its own range.</param>
    public Int8Weight(ReadOnlySpan<float> weight, int outFeatures, int inFeatures, Int8ActivationRange? activations = null)
    {
        GemmShape.CheckDimensions(outFeatures, inFeatures, 0);
        GemmShape.CheckMatrix("weight", "inFeatures", outFeatures, inFeatures, weight.Length, inFeatures);
        (OutFeatures, InFeatures, Activations) = (outFeatures, inFeatures, activations);
        Values = new sbyte[outFeatures * inFeatures];
        Scales = new float[outFeatures];
        Int8Quantize.RowsToS8(outFeatures, inFeatures, weight, inFeatures, Values, inFeatures, Scales);
    }

    private Int8Weight(sbyte[] values, float[] scales, int outFeatures, int inFeatures, Int8ActivationRange? activations) =>
        (Values, Scales, OutFeatures, InFeatures, Activations) = (values, scales, outFeatures, inFeatures, activations);

    /// <summary>A weight from stored codes and per-channel scales (a low-precision checkpoint), checked for its shape.</summary>
    public static Int8Weight FromCodes(sbyte[] values, float[] scales, int outFeatures, int inFeatures, Int8ActivationRange? activations)
    {
        GemmShape.CheckDimensions(outFeatures, inFeatures, 0);
        if (values.Length != outFeatures * inFeatures || scales.Length != outFeatures)
        {
            throw new ArgumentException($"int8 weight ({outFeatures} × {inFeatures}): {values.Length} codes and {scales.Length} scales, " +
                $"expected {outFeatures * inFeatures} and {outFeatures}");
        }
        return new Int8Weight(values, scales, outFeatures, inFeatures, activations);
    }

    /// <summary>The float32 weight the codes stand for: weight[j, p] = Scales[j]·Values[j·In + p].</summary>
    public void Dequantize(Span<float> weight)
    {
        for (var j = 0; j < OutFeatures; j++)
        {
            for (var p = 0; p < InFeatures; p++)
            {
                weight[(j * InFeatures) + p] = Scales[j] * Values[(j * InFeatures) + p];
            }
        }
    }

    public int OutFeatures { get; }

    public int InFeatures { get; }

    /// <summary>(OutFeatures × InFeatures) codes: weight[j, p] ≈ Scales[j]·Values[j·In + p].</summary>
    public sbyte[] Values { get; }

    public float[] Scales { get; }

    public Int8ActivationRange? Activations { get; }

    public string Kind => "int8";

    /// <summary>y (rows × Out) = x (rows × In) quantized to u8 times the weight's codes, rescaled to float.</summary>
    public void Multiply(int rows, ReadOnlySpan<float> x, Span<float> y)
    {
        GemmShape.CheckMatrix("x", "InFeatures", rows, InFeatures, x.Length, InFeatures);
        GemmShape.CheckMatrix("y", "OutFeatures", rows, OutFeatures, y.Length, OutFeatures);
        var codes = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(1, rows * InFeatures));
        var scales = System.Buffers.ArrayPool<float>.Shared.Rent(Math.Max(1, rows));
        var zeros = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(1, rows));
        try
        {
            if (Activations is { } range)
            {
                var (scale, zero) = range.ScaleAndZero();
                scales.AsSpan(0, rows).Fill(scale);
                zeros.AsSpan(0, rows).Fill(zero);
                Int8Quantize.ToU8(x[..(rows * InFeatures)], codes.AsSpan(0, rows * InFeatures), scale, zero);
            }
            else
            {
                Int8Quantize.RowsToU8(rows, InFeatures, x, InFeatures, codes, InFeatures, scales, zeros);
            }
            Int8Gemm.Multiply(rows, OutFeatures, InFeatures, codes, InFeatures, scales, zeros, Values, InFeatures, Scales, y, OutFeatures);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(codes);
            System.Buffers.ArrayPool<float>.Shared.Return(scales);
            System.Buffers.ArrayPool<byte>.Shared.Return(zeros);
        }
    }
}
