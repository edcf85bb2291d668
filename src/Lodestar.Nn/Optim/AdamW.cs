// AdamW (Loshchilov & Hutter 2019): Adam moments with weight decay decoupled from the gradient, applied
// as p ← p − lr·wd·p before the Adam step, exactly as torch.optim.AdamW; per-group lr scale and decay.
using Lodestar.Core;
using Lodestar.Kernels;
using Lodestar.Tensors;

namespace Lodestar.Nn.Optim;

public sealed record AdamWConfig
{
    /// <summary>Peak learning rate (a schedule may scale it per step).</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Decay of the first moment (PyTorch default 0.9).</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>Decay of the second moment (PyTorch default 0.999).</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>Added to √v̂ (PyTorch default 1e-8).</summary>
    public float Eps { get; init; } = 1e-8f;

    /// <summary>Decoupled weight decay (PyTorch default 0.01).</summary>
    public float WeightDecay { get; init; } = 0.01f;

    public AdamWConfig Validate()
    {
        this.Require(LearningRate >= 0f, LearningRate, "must not be negative");
        this.Require(Beta1 is >= 0f and < 1f, Beta1, "must be in [0, 1)");
        this.Require(Beta2 is >= 0f and < 1f, Beta2, "must be in [0, 1)");
        this.Require(Eps > 0f, Eps, "must be positive");
        this.Require(WeightDecay >= 0f, WeightDecay, "must not be negative");
        return this;
    }
}

/// <summary>Parameters sharing settings: e.g. no weight decay on biases and norm gains.</summary>
public sealed record ParameterGroup(IReadOnlyList<Tensor> Parameters, float WeightDecay, float LearningRateScale = 1f);

public sealed class AdamW
{
    // Parameters are updated in chunks of at most this many elements, the chunks spread over the kernel
    // threads (each element's update is independent, so results do not depend on the thread count).
    private const int ChunkElements = 1 << 14;

    private readonly (Tensor Parameter, ParameterGroup Group, float[] M, float[] V)[] _slots;
    private readonly int[] _slotGroup;
    private readonly (int Slot, int Start, int Length)[] _chunks;
    private readonly AdamWScalars[] _groupScalars;

    public AdamW(IReadOnlyList<ParameterGroup> groups, AdamWConfig config)
    {
        Config = config.Validate();
        Groups = groups;
        _slots = groups.SelectMany(g => g.Parameters.Select(p => (p, g, new float[p.Length], new float[p.Length]))).ToArray();
        _slotGroup = groups.SelectMany((g, index) => g.Parameters.Select(_ => index)).ToArray();
        _chunks = _slots.SelectMany((slot, index) => Enumerable.Range(0, (slot.Parameter.Length + ChunkElements - 1) / ChunkElements)
            .Select(c => (index, c * ChunkElements, Math.Min(ChunkElements, slot.Parameter.Length - (c * ChunkElements))))).ToArray();
        _groupScalars = new AdamWScalars[groups.Count];
    }

    /// <summary>One group with the config's weight decay.</summary>
    public AdamW(IReadOnlyList<Tensor> parameters, AdamWConfig config)
        : this([new ParameterGroup(parameters, config.WeightDecay)], config)
    {
    }

    public AdamWConfig Config { get; }

    public IReadOnlyList<ParameterGroup> Groups { get; }

    /// <summary>Steps taken (t in the bias corrections).</summary>
    public long StepCount { get; set; }

    /// <summary>Applies one update with the config's learning rate.</summary>
    public void Step() => Step(Config.LearningRate);

    /// <summary>Applies one update with learning rate lr (times each group's scale) on the fused AdamW kernel:
    /// p ← p·(1 − lr·wd) − lr·m̂/(√v̂ + eps), with m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ) (torch.optim.AdamW).</summary>
    public void Step(float learningRate)
    {
        StepCount++;
        for (var g = 0; g < Groups.Count; g++)
        {
            _groupScalars[g] = AdamWScalars.For(learningRate * Groups[g].LearningRateScale, Groups[g].WeightDecay,
                Config.Beta1, Config.Beta2, Config.Eps, StepCount);
        }
        var body = new UpdateBody(_slots, _slotGroup, _chunks, _groupScalars);
        KernelThreads.For(_chunks.Length, ref body);
    }

    /// <summary>The first and second moment buffers of a parameter this optimizer updates (for checkpoints).</summary>
    public (float[] M, float[] V) Moments(Tensor parameter)
    {
        foreach (var slot in _slots)
        {
            if (ReferenceEquals(slot.Parameter, parameter))
            {
                return (slot.M, slot.V);
            }
        }
        throw new ArgumentException($"parameter {parameter.Describe()} is not updated by this optimizer", nameof(parameter));
    }

    public void ZeroGrad()
    {
        foreach (var slot in _slots)
        {
            slot.Parameter.ZeroGrad();
        }
    }

    /// <summary>Updates one chunk of one parameter (skipped when the parameter got no gradient this step).</summary>
    private readonly struct UpdateBody((Tensor Parameter, ParameterGroup Group, float[] M, float[] V)[] slots, int[] slotGroup,
        (int Slot, int Start, int Length)[] chunks, AdamWScalars[] groupScalars) : IParallelBody
    {
        public void Invoke(int index)
        {
            var (slot, start, length) = chunks[index];
            var (parameter, _, m, v) = slots[slot];
            if (!parameter.HasGrad)
            {
                return;
            }
            Kernels.AdamW.Step(parameter.Data.Slice(start, length), parameter.Grad.Slice(start, length), m.AsSpan(start, length),
                v.AsSpan(start, length), in groupScalars[slotGroup[slot]]);
        }
    }
}
