// Multi-head scaled dot-product attention over a packed (B,T,3C) qkv tensor on the fused FlashAttention-2
// kernel (causal, key-padding and block masks), plus rotary position embeddings (RoPE, Su et al. 2021).
using System.Buffers;
using Lodestar.Kernels;

namespace Lodestar.Tensors;

public sealed partial class Graph
{
    /// <summary>
    /// qkv is (B,T,3C) with [q | k | v] and head h in columns h·D..(h+1)·D of each; returns (B,T,C).
    /// Runs the fused FlashAttention-2 kernel on qkv in place (each head's rows read with stride 3C, no (B,H,T,D)
    /// copies), or, when nothing is recorded, the token-major inference kernel; a query that may see no key outputs 0.
    /// </summary>
    public Tensor Attention(Tensor qkv, int heads, AttentionMask mask)
    {
        qkv = Contiguous(qkv);
        Require(qkv.Rank == 3 && qkv.Columns % 3 == 0, $"attention: qkv {qkv.Describe()} must be (B,T,3C)");
        int batch = qkv.Dim(0), tokens = qkv.Dim(1), channels = qkv.Columns / 3;
        Require(heads > 0 && channels % heads == 0, $"attention: {channels} channels do not split into {heads} heads");
        Require(mask.KeyKeep is null || mask.KeyKeep.Length == batch * tokens, $"attention: key mask has {mask.KeyKeep?.Length} entries for B·T = {batch * tokens}");
        Require(mask.Block is null || mask.Block.Length == tokens, $"attention: block mask is for T = {mask.Block?.Length}, input has T = {tokens}");
        var shape = new AttentionShape(batch, heads, tokens, channels / heads);
        if (!Tracks(qkv) && TokenMajorAttention.Supports(shape, mask))
        {
            // Nothing goes backward: attend straight from the token-major qkv with the inference kernel.
            var attended = NewOutput([batch, tokens, channels]);
            TokenMajorAttention.Forward(shape, qkv.Data, attended.Data, mask);
            return attended;
        }
        var logSumExp = NewOutput([batch * heads * tokens]);
        var output = NewOutput([batch, tokens, channels]);
        FlashAttention.ForwardPacked(shape, qkv.Data, output.Data, logSumExp.Data, mask);
        if (Tracks(qkv))
        {
            // Backward reads qkv, the output and the log-sum-exp.
            ref var entry = ref Record(OpKind.Attention, output);
            entry.Qkv = qkv;
            entry.LogSumExp = logSumExp;
            entry.Heads = heads;
            entry.Mask = mask;
        }
        return output;
    }

    private void AttentionBackward(in TapeEntry entry)
    {
        var qkv = entry.Qkv;
        int batch = qkv.Dim(0), tokens = qkv.Dim(1), channels = qkv.Columns / 3;
        var shape = new AttentionShape(batch, entry.Heads, tokens, channels / entry.Heads);
        // dqkv += (dq | dk | dv), written over when nothing has added into dqkv yet
        var dqkv = GradForOverwrite(qkv, out var fresh);
        FlashAttention.BackwardPacked(shape, qkv.Data, entry.Output.Data, entry.LogSumExp.Data, entry.Output.Grad, dqkv,
            accumulate: !fresh, entry.Mask);
    }

    /// <summary>
    /// Rotates q and k of a packed (B,T,3C) qkv by position (half-split pairs d and d + D/2, angle
    /// p·base^(−2d/D), as in GPT-NeoX/LLaMA); v passes through. Token t's position p is t, or positions[t]
    /// (T, the same in every batch row) when given: candidates scored side by side after one history all
    /// take the position just after it, as each would alone.
    /// </summary>
    public Tensor Rope(Tensor qkv, int heads, float theta = 10000f, int[]? positions = null)
    {
        qkv = Contiguous(qkv);
        Require(qkv.Rank == 3 && qkv.Columns % 3 == 0, $"rope: qkv {qkv.Describe()} must be (B,T,3C)");
        var channels = qkv.Columns / 3;
        Require(heads > 0 && channels % heads == 0 && (channels / heads) % 2 == 0, $"rope: head dim of {channels}/{heads} must be even");
        Require(positions is null || positions.Length == qkv.Dim(1), $"rope: {positions?.Length} positions for T = {qkv.Dim(1)} tokens");
        Require(positions is null || !positions.Any(p => p < 0), "rope: positions must not be negative");
        var output = NewOutputLike(qkv);
        qkv.Data.CopyTo(output.Data);
        RotateQk(output.Data, qkv.Dim(0), qkv.Dim(1), channels, heads, theta, inverse: false, positions);
        if (Tracks(qkv))
        {
            ref var entry = ref Record(OpKind.Rope, output);
            entry.Qkv = qkv;
            entry.Heads = heads;
            entry.Theta = theta;
            entry.TokenPositions = positions;
        }
        return output;
    }

    private void RopeBackward(in TapeEntry entry)
    {
        // The rotation is orthogonal: the gradient rotates back by −angle.
        var qkv = entry.Qkv;
        var channels = qkv.Columns / 3;
        var rotated = Scratch(qkv.Length);
        entry.Output.Grad.CopyTo(rotated);
        RotateQk(rotated, qkv.Dim(0), qkv.Dim(1), channels, entry.Heads, entry.Theta, inverse: true, entry.TokenPositions);
        VectorMath.AddInto(rotated, GradOf(qkv));
    }

    private static void RotateQk(Span<float> data, int batch, int tokens, int channels, int heads, float theta, bool inverse, int[]? positions)
    {
        var headDim = channels / heads;
        var half = headDim / 2;
        // cos and sin of position · θ^(−2d/D) for each token and pair d (the powers once per pair), computed once and
        // applied to every row and head.
        var table = ArrayPool<float>.Shared.Rent((2 * tokens * half) + half);
        try
        {
            var frequencies = table.AsSpan(2 * tokens * half, half);
            for (var d = 0; d < half; d++)
            {
                frequencies[d] = MathF.Pow(theta, -2f * d / headDim);
            }
            for (var t = 0; t < tokens; t++)
            {
                var position = positions?[t] ?? t;
                for (var d = 0; d < half; d++)
                {
                    var (sin, cos) = MathF.SinCos(position * frequencies[d]);
                    table[(2 * ((t * half) + d)) + 0] = cos;
                    table[(2 * ((t * half) + d)) + 1] = inverse ? -sin : sin;
                }
            }
            for (var b = 0; b < batch; b++)
            {
                for (var t = 0; t < tokens; t++)
                {
                    var row = data.Slice(((b * tokens) + t) * 3 * channels, 2 * channels);
                    var angles = table.AsSpan(2 * t * half, 2 * half);
                    for (var start = 0; start < 2 * channels; start += headDim)
                    {
                        for (var d = 0; d < half; d++)
                        {
                            var (cos, sin) = (angles[2 * d], angles[(2 * d) + 1]);
                            var x1 = row[start + d];
                            var x2 = row[start + d + half];
                            row[start + d] = (x1 * cos) - (x2 * sin);
                            row[start + d + half] = (x1 * sin) + (x2 * cos);
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(table);
        }
    }
}

/// <summary>What attention and rotary embedding read in their backward passes.</summary>
internal partial struct TapeEntry
{
    /// <summary>Packed q|k|v (B, T, 3C).</summary>
    public Tensor Qkv { readonly get => _input0!; set => _input0 = value; }

    /// <summary>Attention: log-sum-exp of each query's scores (B, H, T), from the forward pass.</summary>
    public Tensor LogSumExp { readonly get => _saved1!; set => _saved1 = value; }

    /// <summary>Heads H (C = H·D).</summary>
    public int Heads { readonly get => _int0; set => _int0 = value; }

    /// <summary>Attention: which keys each query may see.</summary>
    public Kernels.AttentionMask Mask { readonly get => _mask; set => _mask = value; }

    /// <summary>Rotary embedding: the base θ of the rotation frequencies.</summary>
    public float Theta { readonly get => _float0; set => _float0 = value; }

    /// <summary>Rotary embedding: each token's position (T), or null for 0..T−1.</summary>
    public int[]? TokenPositions { readonly get => _indices; set => _indices = value; }
}
