// Scalar twin of AdamW: the same PyTorch 1.13 formula one element at a time, in the same operation order.
// The vector kernel calls UpdateOne for its remainder, so both paths share one statement of the formula.
namespace Lodestar.Kernels;

public static class AdamWReference
{
    /// <summary>Same contract as <see cref="AdamW.Step"/>.</summary>
    public static void Step(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> firstMoment, Span<float> secondMoment,
        AdamWSettings settings, int step)
    {
        var (stepSize, bc2Sqrt) = settings.StepScalars(step);
        for (int i = 0; i < parameters.Length; i++)
        {
            UpdateOne(ref parameters[i], gradients[i], ref firstMoment[i], ref secondMoment[i], 1f - settings.LearningRate * settings.WeightDecay,
                settings.Beta1, 1f - settings.Beta1, settings.Beta2, 1f - settings.Beta2, bc2Sqrt, settings.Epsilon, stepSize);
        }
    }

    internal static void UpdateOne(ref float p, float g, ref float m, ref float v, float decay, float beta1, float oneMinusBeta1,
        float beta2, float oneMinusBeta2, float bc2Sqrt, float eps, float stepSize)
    {
        p *= decay;                                   // param.mul_(1 - lr * weight_decay)
        m = m * beta1 + g * oneMinusBeta1;            // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
        v = v * beta2 + g * g * oneMinusBeta2;        // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        float denominator = MathF.Sqrt(v) / bc2Sqrt + eps;   // (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
        p -= stepSize * (m / denominator);            // param.addcdiv_(exp_avg, denom, value=-step_size)
    }
}
