// Training helpers: global-norm gradient clipping, linear warmup + cosine decay, and an exponential
// moving average of the weights.
using Lodestar.Core;
using Lodestar.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Lodestar.Nn.Optim;

public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients by maxNorm/(‖g‖ + 1e-6) when the global L2 norm ‖g‖ exceeds maxNorm
    /// (torch.nn.utils.clip_grad_norm_); returns the norm before clipping.
    /// </summary>
    public static double ClipGlobalNorm(IReadOnlyList<Tensor> parameters, double maxNorm)
    {
        double sumOfSquares = 0;
        for (var i = 0; i < parameters.Count; i++)
        {
            var parameter = parameters[i];
            if (parameter.HasGrad)
            {
                sumOfSquares += TensorPrimitives.SumOfSquares(parameter.Grad);
            }
        }
        var norm = Math.Sqrt(sumOfSquares);
        if (norm > maxNorm)
        {
            var scale = (float)(maxNorm / (norm + 1e-6));
            for (var i = 0; i < parameters.Count; i++)
            {
                var parameter = parameters[i];
                if (parameter.HasGrad)
                {
                    TensorPrimitives.Multiply(parameter.Grad, scale, parameter.Grad);
                }
            }
        }
        return norm;
    }
}

/// <summary>Linear warmup from 0 to PeakLearningRate, then cosine decay to MinLearningRate (nanoGPT's get_lr).</summary>
public sealed record WarmupCosineSchedule
{
    /// <summary>Learning rate at the end of warmup.</summary>
    public float PeakLearningRate { get; init; } = 1e-3f;

    /// <summary>Floor reached at TotalSteps and kept after.</summary>
    public float MinLearningRate { get; init; } = 1e-4f;

    /// <summary>Steps of linear warmup.</summary>
    public int WarmupSteps { get; init; } = 100;

    /// <summary>Step at which the cosine reaches the floor.</summary>
    public int TotalSteps { get; init; } = 1000;

    public WarmupCosineSchedule Validate()
    {
        this.Require(WarmupSteps >= 0, WarmupSteps, "must not be negative");
        this.Require(TotalSteps > WarmupSteps, TotalSteps, $"must exceed WarmupSteps ({WarmupSteps})");
        this.Require(MinLearningRate >= 0, MinLearningRate, "must not be negative");
        this.Require(PeakLearningRate >= MinLearningRate, PeakLearningRate, $"must be at least MinLearningRate ({MinLearningRate})");
        return this;
    }

    /// <summary>Learning rate for step (0-based).</summary>
    public float LearningRate(int step)
    {
        if (step < WarmupSteps)
        {
            return PeakLearningRate * (step + 1) / WarmupSteps;
        }
        if (step >= TotalSteps)
        {
            return MinLearningRate;
        }
        var progress = (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps);
        var cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return (float)(MinLearningRate + (cosine * (PeakLearningRate - MinLearningRate)));
    }
}

/// <summary>shadow ← decay·shadow + (1 − decay)·weights after each step; evaluate with the shadow copy.</summary>
public sealed class ExponentialMovingAverage
{
    private readonly IReadOnlyList<Tensor> _parameters;
    private readonly float[][] _shadow;

    public ExponentialMovingAverage(IReadOnlyList<Tensor> parameters, float decay)
    {
        if (decay is < 0f or > 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "EMA decay must be in [0,1]");
        }
        Decay = decay;
        _parameters = parameters;
        _shadow = parameters.Select(p => p.Data.ToArray()).ToArray();
    }

    public float Decay { get; }

    public IReadOnlyList<float[]> Shadow => _shadow;

    public void Update()
    {
        for (var i = 0; i < _parameters.Count; i++)
        {
            // shadow = decay·shadow + (1−decay)·p
            var shadow = _shadow[i].AsSpan();
            TensorPrimitives.Multiply(shadow, Decay, shadow);
            TensorPrimitives.MultiplyAdd(_parameters[i].Data, 1f - Decay, shadow, shadow);
        }
    }

    /// <summary>Writes the averaged weights into the parameters.</summary>
    public void CopyTo()
    {
        for (var i = 0; i < _parameters.Count; i++)
        {
            _shadow[i].CopyTo(_parameters[i].Data);
        }
    }
}
