// Multi-head scaled dot-product attention over a packed qkv tensor, with causal, key-padding and block
// masks, plus rotary position embeddings (RoPE, Su et al. 2021). Heads are read in place through
// leading dimensions, so q, k and v are never copied out of the (B,T,3C) projection.
using System.Numerics.Tensors;

namespace Lodestar.Tensors;

/// <summary>Which key positions each query may see. All parts combine (a key must pass every one).</summary>
/// <param name="Causal">Query t sees keys ≤ t.</param>
/// <param name="KeyKeep">(B·T): 1 for real tokens, 0 for padding keys nobody attends to; null keeps all.</param>
/// <param name="Allowed">(T·T): 1 where query i may attend key j (block masks); null allows all.</param>
public sealed record AttentionMask(bool Causal, byte[]? KeyKeep = null, byte[]? Allowed = null)
{
    public static readonly AttentionMask Bidirectional = new(false);
    public static readonly AttentionMask CausalOnly = new(true);
}

public sealed partial class Graph
{
    /// <summary>qkv is (B,T,3C) with [q | k | v] and head h in columns h·D..(h+1)·D of each; returns (B,T,C).</summary>
    public Tensor Attention(Tensor qkv, int heads, AttentionMask mask)
    {
        qkv = Contiguous(qkv);
        Require(qkv.Rank == 3 && qkv.Columns % 3 == 0, $"attention: qkv {qkv.Describe()} must be (B,T,3C)");
        int batch = qkv.Dim(0), tokens = qkv.Dim(1), channels = qkv.Columns / 3;
        Require(heads > 0 && channels % heads == 0, $"attention: {channels} channels do not split into {heads} heads");
        Require(mask.KeyKeep is null || mask.KeyKeep.Length == batch * tokens, $"attention: key mask has {mask.KeyKeep?.Length} entries for B·T = {batch * tokens}");
        Require(mask.Allowed is null || mask.Allowed.Length == tokens * tokens, $"attention: block mask has {mask.Allowed?.Length} entries for T·T = {tokens * tokens}");
        var headDim = channels / heads;
        var scale = 1f / MathF.Sqrt(headDim);
        var output = NewOutput([batch, tokens, channels]);
        var probabilities = NewOutput([batch, heads, tokens, tokens]);
        var src = qkv.Data;
        for (var b = 0; b < batch; b++)
        {
            for (var h = 0; h < heads; h++)
            {
                var p = probabilities.Data.Slice(((b * heads) + h) * tokens * tokens, tokens * tokens);
                var baseRow = b * tokens * 3 * channels;
                // S(T,T) = scale · Q(T,D) · K(T,D)ᵀ
                Blas.Gemm(false, true, tokens, tokens, headDim, scale, src[(baseRow + (h * headDim))..], 3 * channels,
                    src[(baseRow + channels + (h * headDim))..], 3 * channels, 0f, p, tokens);
                MaskedSoftmaxRows(p, tokens, b, mask);
                // O(T,D) = P(T,T) · V(T,D)
                Blas.Gemm(false, false, tokens, headDim, tokens, 1f, p, tokens, src[(baseRow + (2 * channels) + (h * headDim))..], 3 * channels,
                    0f, output.Data[((b * tokens * channels) + (h * headDim))..], channels);
            }
        }
        if (Tracks(qkv))
        {
            ref var entry = ref Record(OpKind.Attention, output);
            entry.A = qkv;
            entry.Saved0 = probabilities;
            entry.I0 = heads;
            entry.F0 = scale;
        }
        return output;
    }

    private static void MaskedSoftmaxRows(Span<float> scores, int tokens, int batchIndex, AttentionMask mask)
    {
        for (var i = 0; i < tokens; i++)
        {
            var row = scores.Slice(i * tokens, tokens);
            var visible = 0;
            for (var j = 0; j < tokens; j++)
            {
                var hidden = (mask.Causal && j > i)
                    || (mask.KeyKeep is not null && mask.KeyKeep[(batchIndex * tokens) + j] == 0)
                    || (mask.Allowed is not null && mask.Allowed[(i * tokens) + j] == 0);
                if (hidden)
                {
                    row[j] = float.NegativeInfinity;
                }
                else
                {
                    visible++;
                }
            }
            if (visible == 0)
            {
                row.Clear(); // a query that may see nothing outputs zeros (PyTorch would give NaN)
                continue;
            }
            TensorPrimitives.SoftMax(row, row);
        }
    }

    private void AttentionBackward(in TapeEntry entry)
    {
        var qkv = entry.A!;
        var heads = entry.I0;
        var scale = entry.F0;
        int batch = qkv.Dim(0), tokens = qkv.Dim(1), channels = qkv.Columns / 3;
        var headDim = channels / heads;
        var src = qkv.Data;
        var dqkv = GradOf(qkv);
        var dOut = entry.Output.Grad;
        var dS = Scratch(tokens * tokens);
        var ld = 3 * channels;
        for (var b = 0; b < batch; b++)
        {
            for (var h = 0; h < heads; h++)
            {
                var p = entry.Saved0!.Data.Slice(((b * heads) + h) * tokens * tokens, tokens * tokens);
                var baseRow = b * tokens * ld;
                var q = baseRow + (h * headDim);
                var k = q + channels;
                var v = k + channels;
                var dO = dOut[((b * tokens * channels) + (h * headDim))..];
                // dP = dO · Vᵀ ; dV += Pᵀ · dO
                Blas.Gemm(false, true, tokens, tokens, headDim, 1f, dO, channels, src[v..], ld, 0f, dS, tokens);
                Blas.Gemm(true, false, tokens, headDim, tokens, 1f, p, tokens, dO, channels, 1f, dqkv[v..], ld);
                // dS = P ⊙ (dP − Σ_j dP·P) (softmax Jacobian); masked entries have P = 0 and stay 0.
                for (var i = 0; i < tokens; i++)
                {
                    var pRow = p.Slice(i * tokens, tokens);
                    var dRow = dS.Slice(i * tokens, tokens);
                    var dot = TensorPrimitives.Dot(pRow, dRow);
                    TensorPrimitives.Subtract(dRow, dot, dRow);
                    TensorPrimitives.Multiply(dRow, pRow, dRow);
                }
                // dQ += scale · dS · K ; dK += scale · dSᵀ · Q
                Blas.Gemm(false, false, tokens, headDim, tokens, scale, dS, tokens, src[k..], ld, 1f, dqkv[q..], ld);
                Blas.Gemm(true, false, tokens, headDim, tokens, scale, dS, tokens, src[q..], ld, 1f, dqkv[k..], ld);
            }
        }
    }

    /// <summary>
    /// Rotates q and k of a packed (B,T,3C) qkv by position (half-split pairs d and d + D/2, angle
    /// t·base^(−2d/D), as in GPT-NeoX/LLaMA); v passes through.
    /// </summary>
    public Tensor Rope(Tensor qkv, int heads, float theta = 10000f)
    {
        qkv = Contiguous(qkv);
        Require(qkv.Rank == 3 && qkv.Columns % 3 == 0, $"rope: qkv {qkv.Describe()} must be (B,T,3C)");
        var channels = qkv.Columns / 3;
        Require(heads > 0 && channels % heads == 0 && (channels / heads) % 2 == 0, $"rope: head dim of {channels}/{heads} must be even");
        var output = NewOutputLike(qkv);
        qkv.Data.CopyTo(output.Data);
        RotateQk(output.Data, qkv.Dim(0), qkv.Dim(1), channels, heads, theta, inverse: false);
        if (Tracks(qkv))
        {
            ref var entry = ref Record(OpKind.Rope, output);
            entry.A = qkv;
            entry.I0 = heads;
            entry.F0 = theta;
        }
        return output;
    }

    private void RopeBackward(in TapeEntry entry)
    {
        // The rotation is orthogonal: the gradient rotates back by −angle.
        var qkv = entry.A!;
        var channels = qkv.Columns / 3;
        var rotated = Scratch(qkv.Length);
        entry.Output.Grad.CopyTo(rotated);
        RotateQk(rotated, qkv.Dim(0), qkv.Dim(1), channels, entry.I0, entry.F0, inverse: true);
        VectorMath.AddInto(rotated, GradOf(qkv));
    }

    private static void RotateQk(Span<float> data, int batch, int tokens, int channels, int heads, float theta, bool inverse)
    {
        var headDim = channels / heads;
        var half = headDim / 2;
        for (var b = 0; b < batch; b++)
        {
            for (var t = 0; t < tokens; t++)
            {
                var row = data.Slice(((b * tokens) + t) * 3 * channels, 2 * channels);
                for (var d = 0; d < half; d++)
                {
                    var angle = t * MathF.Pow(theta, -2f * d / headDim);
                    var (sin, cos) = MathF.SinCos(angle);
                    if (inverse)
                    {
                        sin = -sin;
                    }
                    for (var start = 0; start < 2 * channels; start += headDim)
                    {
                        var x1 = row[start + d];
                        var x2 = row[start + d + half];
                        row[start + d] = (x1 * cos) - (x2 * sin);
                        row[start + d + half] = (x1 * sin) + (x2 * cos);
                    }
                }
            }
        }
    }
}
