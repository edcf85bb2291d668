// The basic layers: Linear (PyTorch (out, in) weights), Embedding, LayerNorm, RMSNorm and seeded Dropout.
// Initialization follows GPT-2/nanoGPT (normal std 0.02, zero biases, unit norm gains), from an explicit seed.
using Lodestar.Core;
using Lodestar.Kernels;
using Lodestar.Tensors;

namespace Lodestar.Nn;

public sealed class Linear : Module
{
    public Linear(int inFeatures, int outFeatures, SeededRandom random, bool bias = true, float initStd = 0.02f)
    {
        Weight = AddParameter("weight", outFeatures, inFeatures);
        random.FillNormal(Weight.Data, initStd);
        Bias = bias ? AddParameter("bias", outFeatures) : null;
    }

    public Tensor Weight { get; }

    public Tensor? Bias { get; }

    /// <summary>The weight packed for inference by Module.FreezeForInference (null otherwise).</summary>
    public PackedWeight? Packed { get; private set; }

    /// <summary>The weight in a lower precision for inference (QuantizeInt8, ToBf16); null runs in float32. Training graphs always run in float32.</summary>
    public ILowPrecisionWeight? LowPrecision { get; private set; }

    /// <summary>When set, every inference pass widens it to the range of this layer's input (int8 calibration).</summary>
    public Int8RangeObserver? InputObserver { get; set; }

    /// <summary>x is (..., in); returns (..., out), optionally through GELU fused into the same op.</summary>
    public Tensor Forward(Graph graph, Tensor x, LinearActivation activation = LinearActivation.None)
    {
        if (graph.IsRecording)
        {
            return graph.Linear(x, Weight, Bias, activation);
        }
        InputObserver?.Observe(graph.Contiguous(x).Data);
        return LowPrecision is not null ? graph.LinearLowPrecision(x, LowPrecision, Bias, activation)
            : Packed is not null ? graph.LinearPacked(x, Packed, Bias, activation)
            : graph.Linear(x, Weight, Bias, activation);
    }

    /// <summary>residual + Forward(x), both (..., out); with packed or lower-precision weights the add is fused into the op.</summary>
    public Tensor ForwardAdd(Graph graph, Tensor x, Tensor residual)
    {
        if (graph.IsRecording)
        {
            return graph.Add(residual, graph.Linear(x, Weight, Bias));
        }
        InputObserver?.Observe(graph.Contiguous(x).Data);
        return LowPrecision is not null ? graph.LinearLowPrecision(x, LowPrecision, Bias, LinearActivation.None, residual)
            : Packed is not null ? graph.LinearPacked(x, Packed, Bias, LinearActivation.None, residual)
            : graph.Add(residual, graph.Linear(x, Weight, Bias));
    }

    /// <summary>
    /// Runs inference on an int8 copy of the weight (per output channel), its inputs quantized by <paramref name="inputs"/>
    /// (a calibrated range) or, when null, each row by its own range. The float32 weight stays for training and export.
    /// </summary>
    public void QuantizeInt8(Int8ActivationRange? inputs) => LowPrecision = new Int8Weight(Weight.Data, Weight.Dim(0), Weight.Dim(1), inputs);

    /// <summary>Runs inference on a bf16 copy of the weight (float32 inputs); the float32 weight stays.</summary>
    public void ToBf16() => LowPrecision = new Bf16Weight(Weight.Data, Weight.Dim(0), Weight.Dim(1));

    /// <summary>Back to float32 inference.</summary>
    public void DropLowPrecision() => LowPrecision = null;

    /// <summary>
    /// Runs inference on <paramref name="weight"/> read from a low-precision checkpoint; the float32 weight becomes the
    /// values it stands for, so the layer trains and exports as what it serves.
    /// </summary>
    public void UseLowPrecision(ILowPrecisionWeight weight)
    {
        if (weight.OutFeatures != Weight.Dim(0) || weight.InFeatures != Weight.Dim(1))
        {
            throw new ArgumentException($"a {weight.Kind} weight of ({weight.OutFeatures} × {weight.InFeatures}) for a layer of ({Weight.Dim(0)} × {Weight.Dim(1)})");
        }
        switch (weight)
        {
            case Int8Weight int8:
                int8.Dequantize(Weight.Data);
                break;
            case Bf16Weight bf16:
                bf16.Dequantize(Weight.Data);
                break;
            default:
                throw new ArgumentException($"no float32 reading of a {weight.Kind} weight");
        }
        if (Packed is not null)
        {
            Packed = Kernels.Gemm.PackWeight(Weight.Data, Weight.Dim(0), Weight.Dim(1));
        }
        LowPrecision = weight;
    }

    protected override void OnFrozenChanged(bool frozen) =>
        Packed = frozen ? Kernels.Gemm.PackWeight(Weight.Data, Weight.Dim(0), Weight.Dim(1)) : null;
}

public sealed class Embedding : Module
{
    public Embedding(int count, int channels, SeededRandom random, float initStd = 0.02f)
    {
        Weight = AddParameter("weight", count, channels);
        random.FillNormal(Weight.Data, initStd);
    }

    public Tensor Weight { get; }

    /// <summary>ids are (B·T); returns (B,T,C). Backward adds only into the rows looked up.</summary>
    public Tensor Forward(Graph graph, int[] ids, int batch, int tokens) => graph.Embedding(Weight, ids, batch, tokens);
}

public sealed class LayerNorm : Module
{
    public LayerNorm(int channels, float eps = 1e-5f)
    {
        Eps = eps;
        Weight = AddParameter("weight", channels);
        Weight.Data.Fill(1f);
        Bias = AddParameter("bias", channels);
    }

    public float Eps { get; }

    public Tensor Weight { get; }

    public Tensor Bias { get; }

    public Tensor Forward(Graph graph, Tensor x) => graph.LayerNorm(x, Weight, Bias, Eps);
}

public sealed class RmsNorm : Module
{
    public RmsNorm(int channels, float eps = 1e-6f)
    {
        Eps = eps;
        Weight = AddParameter("weight", channels);
        Weight.Data.Fill(1f);
    }

    public float Eps { get; }

    public Tensor Weight { get; }

    public Tensor Forward(Graph graph, Tensor x) => graph.RmsNorm(x, Weight, Eps);
}

/// <summary>Inverted dropout; call k of the layer uses mask seed (Seed, k), so a run is reproducible and resumable.</summary>
public sealed class Dropout : Module
{
    public Dropout(float probability, ulong seed)
    {
        if (probability is < 0f or >= 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "dropout probability must be in [0,1)");
        }
        Probability = probability;
        Seed = seed;
    }

    public float Probability { get; }

    public ulong Seed { get; }

    /// <summary>Forward calls made in training mode (part of the checkpointed RNG state).</summary>
    public ulong Calls { get; set; }

    public Tensor Forward(Graph graph, Tensor x)
    {
        if (!Training || Probability == 0f)
        {
            return x;
        }
        var callSeed = Seed ^ (0x9E3779B97F4A7C15UL * ++Calls);
        return graph.Dropout(x, Probability, callSeed);
    }
}
