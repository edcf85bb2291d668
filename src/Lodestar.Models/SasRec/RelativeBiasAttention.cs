// Causal multi-head attention with an HSTU-style learned bias per (head, bucketed relative position) added
// to the logits (Zhai et al. 2024, "Actions Speak Louder than Words"), materialised from engine ops for short T.
using System.Collections.Concurrent;
using Lodestar.Core;
using Lodestar.Nn;
using Lodestar.Tensors;

namespace Lodestar.Models.SasRec;

public sealed class RelativeBiasAttention : Module
{
    /// <summary>Distances below this get a bucket each; beyond it buckets grow geometrically (T5-style).</summary>
    public const int ExactDistances = 16;

    // The causal mask's additive logit: exp underflows to exactly 0 in float, and unlike −∞ it can never meet
    // another infinity in the max-subtracted softmax.
    private const float Masked = -1e9f;

    private readonly int _heads;
    private readonly bool _rotary;
    private readonly ConcurrentDictionary<int, (int[] Ids, float[] Mask)> _layouts = new();

    public RelativeBiasAttention(int channels, int heads, int maxLength, bool rotary, SeededRandom random)
    {
        _heads = heads;
        _rotary = rotary;
        MaxLength = maxLength;
        Buckets = Bucket(maxLength - 1) + 1;
        Qkv = AddModule("qkv", new Linear(channels, 3 * channels, random));
        Proj = AddModule("proj", new Linear(channels, channels, random));
        // (H·Buckets, 1): row h·Buckets + b is head h's logit bias at bucketed distance b. Zero at start, so the
        // block begins as plain causal attention and learns only the recency profile the data supports.
        RelativeBias = AddParameter("rel_bias", heads * Buckets, 1);
    }

    public int MaxLength { get; }

    /// <summary>Relative-distance buckets per head.</summary>
    public int Buckets { get; }

    public Linear Qkv { get; }

    public Linear Proj { get; }

    public Tensor RelativeBias { get; }

    /// <summary>Heads H; each has C/H channels.</summary>
    public int Heads => _heads;

    /// <summary>Whether q and k are rotated by position (RoPE) before attending.</summary>
    public bool Rotary => _rotary;

    /// <summary>For T tokens, the row of <see cref="RelativeBias"/> each (head, query i, key j) adds, (H·T·T); keys after the query read distance 0.</summary>
    public int[] BiasRows(int tokens) => _layouts.GetOrAdd(tokens, Layout).Ids;

    /// <summary>Bucket of a query-to-key distance d = i − j ≥ 0: d itself below <see cref="ExactDistances"/>,
    /// then four buckets per doubling, starting at 16, 20, 23, 27, 32, 39, 46, 54, 64, ….</summary>
    public static int Bucket(int distance)
    {
        if (distance < ExactDistances)
        {
            return distance;
        }
        return ExactDistances + (int)Math.Floor(4 * Math.Log2(distance / (double)ExactDistances));
    }

    /// <summary>x is (B,T,C); returns (B,T,C). Position i attends to j ≤ i with logits
    /// q_i·k_j/√D + bias[h, bucket(i − j)].</summary>
    public Tensor Forward(Graph graph, Tensor x)
    {
        var batch = x.Dim(0);
        var tokens = x.Dim(1);
        var channels = x.Dim(2);
        if (tokens > MaxLength)
        {
            throw new ArgumentException($"relative-bias attention: {tokens} tokens exceed the {MaxLength} it was built for");
        }
        var width = channels / _heads;
        var qkv = Qkv.Forward(graph, x);
        if (_rotary)
        {
            qkv = graph.Rope(qkv, _heads);
        }
        var q = SplitHeads(graph, graph.Slice(qkv, 2, 0, channels), batch, tokens, width);
        var k = SplitHeads(graph, graph.Slice(qkv, 2, channels, channels), batch, tokens, width);
        var v = SplitHeads(graph, graph.Slice(qkv, 2, 2 * channels, channels), batch, tokens, width);

        // scores (B,H,T,T) = q·kᵀ/√D + bias[h, bucket(i − j)] + causal mask.
        var scores = graph.Scale(graph.MatMul(q, k, transposeB: true), 1f / MathF.Sqrt(width));
        scores = graph.Reshape(scores, batch, _heads, tokens, tokens);
        var (ids, mask) = _layouts.GetOrAdd(tokens, Layout);
        scores = graph.Add(scores, graph.Reshape(graph.IndexSelect(RelativeBias, ids), _heads, tokens, tokens));
        scores = graph.Add(scores, graph.Constant(mask, [tokens, tokens]));
        var weights = graph.Reshape(graph.Softmax(scores), batch * _heads, tokens, tokens);

        // (B·H,T,D) → (B,H,T,D) → (B,T,H,D) → (B,T,C).
        var heads = graph.Reshape(graph.MatMul(weights, v), batch, _heads, tokens, width);
        return Proj.Forward(graph, graph.Reshape(graph.Transpose(heads, 1, 2), batch, tokens, channels));
    }

    /// <summary>(B,T,C) slice of one of q, k, v → (B·H,T,D).</summary>
    private Tensor SplitHeads(Graph graph, Tensor x, int batch, int tokens, int width) =>
        graph.Reshape(graph.Transpose(graph.Reshape(x, batch, tokens, _heads, width), 1, 2), batch * _heads, tokens, width);

    /// <summary>For T tokens: bias-table rows (H·T·T) of every (head, i, j), and the (T,T) causal mask.</summary>
    private (int[] Ids, float[] Mask) Layout(int tokens)
    {
        var ids = new int[_heads * tokens * tokens];
        var mask = new float[tokens * tokens];
        for (var i = 0; i < tokens; i++)
        {
            for (var j = 0; j < tokens; j++)
            {
                // Keys after the query are masked; their bias row is irrelevant (weight 0), so use distance 0.
                var bucket = j <= i ? Bucket(i - j) : 0;
                mask[(i * tokens) + j] = j <= i ? 0f : Masked;
                for (var h = 0; h < _heads; h++)
                {
                    ids[(((h * tokens) + i) * tokens) + j] = (h * Buckets) + bucket;
                }
            }
        }
        return (ids, mask);
    }
}
