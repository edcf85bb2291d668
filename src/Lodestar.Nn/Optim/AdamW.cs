// AdamW (Loshchilov & Hutter 2019): Adam moments with weight decay decoupled from the gradient, applied
// as p ← p − lr·wd·p before the Adam step, exactly as torch.optim.AdamW; per-group lr scale and decay.
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
        Check(LearningRate >= 0f, nameof(LearningRate), LearningRate);
        Check(Beta1 is >= 0f and < 1f, nameof(Beta1), Beta1);
        Check(Beta2 is >= 0f and < 1f, nameof(Beta2), Beta2);
        Check(Eps > 0f, nameof(Eps), Eps);
        Check(WeightDecay >= 0f, nameof(WeightDecay), WeightDecay);
        return this;
    }

    private static void Check(bool condition, string field, float value)
    {
        if (!condition)
        {
            throw new ArgumentException($"AdamWConfig.{field} = {value} is out of range");
        }
    }
}

/// <summary>Parameters sharing settings: e.g. no weight decay on biases and norm gains.</summary>
public sealed record ParameterGroup(IReadOnlyList<Tensor> Parameters, float WeightDecay, float LearningRateScale = 1f);

public sealed class AdamW
{
    private readonly (Tensor Parameter, ParameterGroup Group, float[] M, float[] V)[] _slots;

    public AdamW(IReadOnlyList<ParameterGroup> groups, AdamWConfig config)
    {
        Config = config.Validate();
        Groups = groups;
        _slots = groups.SelectMany(g => g.Parameters.Select(p => (p, g, new float[p.Length], new float[p.Length]))).ToArray();
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

    /// <summary>Applies one update with learning rate lr (times each group's scale).</summary>
    public void Step(float learningRate)
    {
        StepCount++;
        var correction1 = 1.0 - Math.Pow(Config.Beta1, StepCount);
        var correction2 = 1.0 - Math.Pow(Config.Beta2, StepCount);
        foreach (var (parameter, group, m, v) in _slots)
        {
            if (!parameter.HasGrad)
            {
                continue;
            }
            var lr = learningRate * group.LearningRateScale;
            Update(parameter.Data, parameter.Grad, m, v, lr, group.WeightDecay, (float)correction1, (float)correction2);
        }
    }

    private void Update(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float lr, float weightDecay,
        float correction1, float correction2)
    {
        float beta1 = Config.Beta1, beta2 = Config.Beta2, eps = Config.Eps;
        var stepSize = lr / correction1;
        var sqrtCorrection2 = MathF.Sqrt(correction2);
        var decay = 1f - (lr * weightDecay);
        for (var i = 0; i < p.Length; i++)
        {
            m[i] = (beta1 * m[i]) + ((1f - beta1) * g[i]);
            v[i] = (beta2 * v[i]) + ((1f - beta2) * g[i] * g[i]);
            // p ← p·(1 − lr·wd) − lr·m̂/(√v̂ + eps), with m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ) (torch.optim.AdamW).
            p[i] = (p[i] * decay) - (stepSize * m[i] / ((MathF.Sqrt(v[i]) / sqrtCorrection2) + eps));
        }
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
}
