// Transformer building blocks: multi-head attention on the fused attention op, the MLP (GELU, SiLU or
// gated SwiGLU), and the pre-norm block x + attn(norm(x)), x + mlp(norm(x)) (GPT-2 / nanoGPT layout).
using Lodestar.Core;
using Lodestar.Kernels;
using Lodestar.Tensors;

namespace Lodestar.Nn;

public sealed class MultiHeadAttention : Module
{
    private readonly int _heads;
    private readonly bool _rotary;

    /// <param name="headDim">Channels of each head (default C/H); a pruned block keeps fewer heads of the original width.</param>
    public MultiHeadAttention(int channels, int heads, bool rotary, SeededRandom random, int? headDim = null)
    {
        _heads = heads;
        _rotary = rotary;
        var inner = heads * (headDim ?? channels / heads);
        Qkv = AddModule("qkv", new Linear(channels, 3 * inner, random));
        Proj = AddModule("proj", new Linear(inner, channels, random));
    }

    public Linear Qkv { get; }

    public Linear Proj { get; }

    /// <summary>Heads of this block, each of <see cref="HeadDim"/> channels (C/H of the unpruned model).</summary>
    public int Heads => _heads;

    /// <summary>Channels of one head.</summary>
    public int HeadDim => Proj.Weight.Dim(1) / _heads;

    /// <summary>Whether q and k are rotated by position (RoPE) before attending.</summary>
    public bool Rotary => _rotary;

    /// <summary>
    /// x is (B,T,C); returns (B,T,C), plus residual (B,T,C) when given (fused into the projection). Rotary
    /// positions are 0..T−1, or <paramref name="positions"/> (T) when given.
    /// </summary>
    public Tensor Forward(Graph graph, Tensor x, AttentionMask mask, Tensor? residual = null, int[]? positions = null)
    {
        var qkv = Qkv.Forward(graph, x);
        if (_rotary)
        {
            qkv = graph.Rope(qkv, _heads, positions: positions);
        }
        var attended = graph.Attention(qkv, _heads, mask);
        return residual is null ? Proj.Forward(graph, attended) : Proj.ForwardAdd(graph, attended, residual);
    }
}

public sealed class Mlp : Module
{
    private readonly MlpKind _kind;

    public Mlp(int channels, int hidden, MlpKind kind, SeededRandom random)
    {
        _kind = kind;
        Fc1 = AddModule("fc1", new Linear(channels, hidden, random));
        Gate = kind == MlpKind.SwiGlu ? AddModule("gate", new Linear(channels, hidden, random)) : null;
        Fc2 = AddModule("fc2", new Linear(hidden, channels, random));
    }

    public MlpKind Kind => _kind;

    public Linear Fc1 { get; }

    public Linear? Gate { get; }

    public Linear Fc2 { get; }

    /// <summary>x is (B,T,C); returns (B,T,C), plus residual (B,T,C) when given (fused into the output layer).</summary>
    public Tensor Forward(Graph graph, Tensor x, Tensor? residual = null)
    {
        var hidden = _kind switch
        {
            MlpKind.Gelu => Fc1.Forward(graph, x, LinearActivation.Gelu),
            MlpKind.Silu => graph.Silu(Fc1.Forward(graph, x)),
            _ => graph.Mul(graph.Silu(Gate!.Forward(graph, x)), Fc1.Forward(graph, x)),
        };
        return residual is null ? Fc2.Forward(graph, hidden) : Fc2.ForwardAdd(graph, hidden, residual);
    }
}

public sealed class TransformerBlock : Module
{
    private readonly Func<Graph, Tensor, Tensor> _norm1;
    private readonly Func<Graph, Tensor, Tensor> _norm2;

    /// <param name="layer">The block's index in its stack, which picks its heads and MLP width when the config was pruned.</param>
    public TransformerBlock(TransformerConfig config, SeededRandom random, ulong dropoutSeed, int layer = 0)
    {
        (Norm1, _norm1) = AddNorm("ln1", config);
        Attention = AddModule("attn", new MultiHeadAttention(config.Channels, config.HeadsOf(layer), config.Positions == PositionEncoding.Rotary, random, config.HeadDim));
        (Norm2, _norm2) = AddNorm("ln2", config);
        Mlp = AddModule("mlp", new Mlp(config.Channels, config.FeedForwardOf(layer), config.Mlp, random));
        AttentionDropout = new Dropout(config.Dropout, dropoutSeed);
        MlpDropout = new Dropout(config.Dropout, dropoutSeed + 1);
        AddModule("attn_drop", AttentionDropout);
        AddModule("mlp_drop", MlpDropout);
    }

    /// <summary>The norm before attention: a LayerNorm or an RmsNorm.</summary>
    public Module Norm1 { get; }

    public MultiHeadAttention Attention { get; }

    /// <summary>The norm before the MLP: a LayerNorm or an RmsNorm.</summary>
    public Module Norm2 { get; }

    public Mlp Mlp { get; }

    public Dropout AttentionDropout { get; }

    public Dropout MlpDropout { get; }

    /// <summary>x is (B,T,C); returns (B,T,C). Rotary positions (T) default to 0..T−1.</summary>
    public Tensor Forward(Graph graph, Tensor x, AttentionMask mask, int[]? positions = null)
    {
        if (!Training || AttentionDropout.Probability == 0f)
        {
            // No dropout between a sublayer and its residual add, so the add can join the sublayer's last GEMM.
            x = Attention.Forward(graph, _norm1(graph, x), mask, residual: x, positions);
            return Mlp.Forward(graph, _norm2(graph, x), residual: x);
        }
        x = graph.Add(x, AttentionDropout.Forward(graph, Attention.Forward(graph, _norm1(graph, x), mask, positions: positions)));
        return graph.Add(x, MlpDropout.Forward(graph, Mlp.Forward(graph, _norm2(graph, x))));
    }

    private (Module Norm, Func<Graph, Tensor, Tensor> Forward) AddNorm(string name, TransformerConfig config)
    {
        if (config.Norm == NormKind.RmsNorm)
        {
            var rms = AddModule(name, new RmsNorm(config.Channels));
            return (rms, rms.Forward);
        }
        var layer = AddModule(name, new LayerNorm(config.Channels));
        return (layer, layer.Forward);
    }
}

/// <summary>L pre-norm blocks named "0".."L−1" (registered by the owner as "blocks").</summary>
public sealed class TransformerStack : Module
{
    private readonly TransformerBlock[] _blocks;

    public TransformerStack(TransformerConfig config, SeededRandom random)
    {
        _blocks = new TransformerBlock[config.Layers];
        for (var i = 0; i < config.Layers; i++)
        {
            _blocks[i] = AddModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                new TransformerBlock(config, random, config.Seed + (1000UL * (ulong)(i + 1)), i));
        }
    }

    public IReadOnlyList<TransformerBlock> Blocks => _blocks;

    /// <summary>x is (B,T,C); returns (B,T,C). Rotary positions (T) default to 0..T−1.</summary>
    public Tensor Forward(Graph graph, Tensor x, AttentionMask mask, int[]? positions = null)
    {
        foreach (var block in _blocks)
        {
            x = block.Forward(graph, x, mask, positions);
        }
        return x;
    }
}
