// AdamW (Loshchilov & Hutter 2019) over one fp32 span, step for step the formula of PyTorch 1.13's
// torch.optim.AdamW (_single_tensor_adamw): decoupled weight decay, then bias-corrected Adam.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Lodestar.Core;

namespace Lodestar.Kernels;

/// <summary>AdamW hyper-parameters; defaults are torch.optim.AdamW's.</summary>
public sealed record AdamWSettings
{
    /// <summary>Learning rate lr (PyTorch default 1e-3).</summary>
    public float LearningRate { get; init; } = 1e-3f;
    /// <summary>β1, decay of the first-moment average (0.9).</summary>
    public float Beta1 { get; init; } = 0.9f;
    /// <summary>β2, decay of the second-moment average (0.999).</summary>
    public float Beta2 { get; init; } = 0.999f;
    /// <summary>ε added to √v̂ for stability (1e-8).</summary>
    public float Epsilon { get; init; } = 1e-8f;
    /// <summary>Decoupled weight decay λ: θ ← θ(1 − lr·λ) before the Adam step (1e-2).</summary>
    public float WeightDecay { get; init; } = 1e-2f;

    public void Validate()
    {
        this.Require(LearningRate >= 0f, LearningRate, "must not be negative");
        this.Require(Beta1 is >= 0f and < 1f, Beta1, "must be in [0, 1)");
        this.Require(Beta2 is >= 0f and < 1f, Beta2, "must be in [0, 1)");
        this.Require(Epsilon >= 0f, Epsilon, "must not be negative");
        this.Require(WeightDecay >= 0f, WeightDecay, "must not be negative");
    }

    /// <summary>The per-step scalars PyTorch computes in double: lr/(1−β1^t) and √(1−β2^t).</summary>
    internal (float StepSize, float BiasCorrection2Sqrt) StepScalars(int step) =>
        ((float)(LearningRate / (1.0 - Math.Pow(Beta1, step))), (float)Math.Sqrt(1.0 - Math.Pow(Beta2, step)));
}

/// <summary>The scalars of one AdamW step: decay 1 − lr·λ, the betas, √(1−β2^t), ε and lr/(1−β1^t).</summary>
public readonly record struct AdamWScalars(float Decay, float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2,
    float BiasCorrection2Sqrt, float Epsilon, float StepSize)
{
    /// <summary>Scalars of step t ≥ 1 (bias corrections in double, as PyTorch computes them).</summary>
    public static AdamWScalars For(float learningRate, float weightDecay, float beta1, float beta2, float epsilon, long step) =>
        new(1f - (learningRate * weightDecay), beta1, 1f - beta1, beta2, 1f - beta2, (float)Math.Sqrt(1.0 - Math.Pow(beta2, step)),
            epsilon, (float)(learningRate / (1.0 - Math.Pow(beta1, step))));
}

public static unsafe class AdamW
{
    /// <summary>
    /// One update of parameters θ given gradients g, first moments m and second moments v (all the same
    /// length), for step t ≥ 1: θ ← θ(1 − lr·λ); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
    /// θ ← θ − lr/(1−β1^t) · m / (√v/√(1−β2^t) + ε).
    /// </summary>
    public static void Step(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> firstMoment, Span<float> secondMoment,
        AdamWSettings settings, int step)
    {
        settings.Validate();
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "AdamW: step counts from 1");
        SimdLoops.RequireLength(gradients.Length, parameters.Length, nameof(gradients));
        SimdLoops.RequireLength(firstMoment.Length, parameters.Length, nameof(firstMoment));
        SimdLoops.RequireLength(secondMoment.Length, parameters.Length, nameof(secondMoment));
        Step(parameters, gradients, firstMoment, secondMoment, AdamWScalars.For(settings.LearningRate, settings.WeightDecay,
            settings.Beta1, settings.Beta2, settings.Epsilon, step));
    }

    /// <summary>The same update with the step's scalars computed once (AdamWScalars.For), so an optimizer can
    /// split its parameters into chunks and update them on several threads without recomputing or validating.</summary>
    public static void Step(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> firstMoment, Span<float> secondMoment,
        in AdamWScalars scalars)
    {
        SimdLoops.RequireLength(gradients.Length, parameters.Length, nameof(gradients));
        SimdLoops.RequireLength(firstMoment.Length, parameters.Length, nameof(firstMoment));
        SimdLoops.RequireLength(secondMoment.Length, parameters.Length, nameof(secondMoment));
        fixed (float* p = parameters, g = gradients, m = firstMoment, v = secondMoment)
        {
            if (Vector512.IsHardwareAccelerated) Update<Simd512, Vector512<float>>(p, g, m, v, parameters.Length, scalars);
            else if (Vector256.IsHardwareAccelerated) Update<Simd256, Vector256<float>>(p, g, m, v, parameters.Length, scalars);
            else Update<Simd128, Vector128<float>>(p, g, m, v, parameters.Length, scalars);
        }
    }

    // Optimized on first call: called only a few times per step, tiered JIT would leave it at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Update<TSimd, TVec>(float* p, float* g, float* m, float* v, int n, AdamWScalars s)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width, i = 0;
        TVec decay = TSimd.Broadcast(s.Decay), b1 = TSimd.Broadcast(s.Beta1), c1 = TSimd.Broadcast(s.OneMinusBeta1);
        TVec b2 = TSimd.Broadcast(s.Beta2), c2 = TSimd.Broadcast(s.OneMinusBeta2), bc2 = TSimd.Broadcast(s.BiasCorrection2Sqrt);
        TVec eps = TSimd.Broadcast(s.Epsilon), stepSize = TSimd.Broadcast(s.StepSize);
        for (; i + w <= n; i += w)
        {
            TVec gv = TSimd.Load(ref g[i]);
            TVec pv = TSimd.Multiply(TSimd.Load(ref p[i]), decay);
            TVec mv = TSimd.Add(TSimd.Multiply(TSimd.Load(ref m[i]), b1), TSimd.Multiply(gv, c1));
            TVec vv = TSimd.Add(TSimd.Multiply(TSimd.Load(ref v[i]), b2), TSimd.Multiply(TSimd.Multiply(gv, gv), c2));
            TVec denominator = TSimd.Add(TSimd.Divide(TSimd.Sqrt(vv), bc2), eps);
            TSimd.Store(mv, ref m[i]);
            TSimd.Store(vv, ref v[i]);
            TSimd.Store(TSimd.Subtract(pv, TSimd.Multiply(stepSize, TSimd.Divide(mv, denominator))), ref p[i]);
        }
        for (; i < n; i++)
        {
            AdamWReference.UpdateOne(ref p[i], g[i], ref m[i], ref v[i], s.Decay, s.Beta1, s.OneMinusBeta1, s.Beta2, s.OneMinusBeta2,
                s.BiasCorrection2Sqrt, s.Epsilon, s.StepSize);
        }
    }
}
