// Scalar twin of FlashAttention: materialises the full T×T score matrix in double precision and applies
// the mask as a dense boolean matrix, so the fused kernel can be checked against the textbook formula.
namespace Lodestar.Kernels;

public static class AttentionReference
{
    /// <summary>Same contract as <see cref="FlashAttention.Forward"/>.</summary>
    public static void Forward(AttentionShape shape, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v,
        Span<float> output, Span<float> logSumExp, in AttentionMask mask)
    {
        int t = shape.Tokens, d = shape.HeadDim;
        var probabilities = new double[t * t];
        for (int head = 0; head < shape.Batch * shape.Heads; head++)
        {
            int batch = head / shape.Heads;
            int offset = head * t * d;
            for (int i = 0; i < t; i++)
            {
                double lse = Probabilities(shape, q, k, mask, batch, offset, i, probabilities.AsSpan(i * t, t));
                logSumExp[head * t + i] = (float)lse;
                for (int c = 0; c < d; c++)
                {
                    double sum = 0;
                    for (int j = 0; j < t; j++)
                    {
                        sum += probabilities[i * t + j] * v[offset + j * d + c];
                    }
                    output[offset + i * d + c] = (float)sum;
                }
            }
        }
    }

    /// <summary>Same contract as <see cref="FlashAttention.Backward"/>: adds into dq, dk, dv.</summary>
    public static void Backward(AttentionShape shape, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v,
        ReadOnlySpan<float> dOutput, Span<float> dq, Span<float> dk, Span<float> dv, in AttentionMask mask)
    {
        int t = shape.Tokens, d = shape.HeadDim;
        double scale = 1.0 / Math.Sqrt(d);
        var p = new double[t];
        var dScores = new double[t];
        for (int head = 0; head < shape.Batch * shape.Heads; head++)
        {
            int batch = head / shape.Heads;
            int offset = head * t * d;
            for (int i = 0; i < t; i++)
            {
                Probabilities(shape, q, k, mask, batch, offset, i, p);
                // dP_ij = dO_i·v_j; dS_ij = P_ij (dP_ij − Σ_l P_il dP_il).
                double delta = 0;
                for (int j = 0; j < t; j++)
                {
                    double dp = 0;
                    for (int c = 0; c < d; c++)
                    {
                        dp += (double)dOutput[offset + i * d + c] * v[offset + j * d + c];
                    }
                    dScores[j] = dp;
                    delta += p[j] * dp;
                }
                for (int j = 0; j < t; j++)
                {
                    double ds = p[j] * (dScores[j] - delta) * scale;
                    for (int c = 0; c < d; c++)
                    {
                        dq[offset + i * d + c] += (float)(ds * k[offset + j * d + c]);
                        dk[offset + j * d + c] += (float)(ds * q[offset + i * d + c]);
                        dv[offset + j * d + c] += (float)(p[j] * dOutput[offset + i * d + c]);
                    }
                }
            }
        }
    }

    /// <summary>Fills row i of softmax(mask(q·kᵀ/√D)) and returns its log-sum-exp (−∞ and zeros when fully masked).</summary>
    private static double Probabilities(AttentionShape shape, ReadOnlySpan<float> q, ReadOnlySpan<float> k, in AttentionMask mask,
        int batch, int offset, int i, Span<double> row)
    {
        int t = shape.Tokens, d = shape.HeadDim;
        double scale = 1.0 / Math.Sqrt(d);
        double max = double.NegativeInfinity;
        for (int j = 0; j < t; j++)
        {
            if (!mask.Allows(batch, t, i, j))
            {
                row[j] = double.NegativeInfinity;
                continue;
            }
            double dot = 0;
            for (int c = 0; c < d; c++)
            {
                dot += (double)q[offset + i * d + c] * k[offset + j * d + c];
            }
            row[j] = dot * scale;
            max = Math.Max(max, row[j]);
        }
        if (double.IsNegativeInfinity(max))
        {
            row.Clear();
            return double.NegativeInfinity;
        }
        double sum = 0;
        for (int j = 0; j < t; j++)
        {
            row[j] = Math.Exp(row[j] - max);
            sum += row[j];
        }
        for (int j = 0; j < t; j++)
        {
            row[j] /= sum;
        }
        return max + Math.Log(sum);
    }
}
