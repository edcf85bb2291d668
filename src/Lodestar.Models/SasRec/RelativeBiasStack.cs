// The pre-norm causal block stack of SASRec with relative-bias attention in place of the fused kernel:
// x + drop(attn(norm(x))), x + drop(mlp(norm(x))), the engine's TransformerBlock layout and parameter names.
using Lodestar.Core;
using Lodestar.Nn;
using Lodestar.Tensors;

namespace Lodestar.Models.SasRec;

public sealed class RelativeBiasBlock : Module
{
    public RelativeBiasBlock(TransformerConfig config, SeededRandom random, ulong dropoutSeed)
    {
        Norm1 = AddModule("ln1", new LayerNorm(config.Channels));
        Attention = AddModule("attn", new RelativeBiasAttention(
            config.Channels, config.Heads, config.MaxTokens, config.Positions == PositionEncoding.Rotary, random));
        Norm2 = AddModule("ln2", new LayerNorm(config.Channels));
        Mlp = AddModule("mlp", new Mlp(config.Channels, config.FeedForward, config.Mlp, random));
        AttentionDropout = AddModule("attn_drop", new Dropout(config.Dropout, dropoutSeed));
        MlpDropout = AddModule("mlp_drop", new Dropout(config.Dropout, dropoutSeed + 1));
    }

    public LayerNorm Norm1 { get; }

    public RelativeBiasAttention Attention { get; }

    public LayerNorm Norm2 { get; }

    public Mlp Mlp { get; }

    public Dropout AttentionDropout { get; }

    public Dropout MlpDropout { get; }

    /// <summary>x is (B,T,C); returns (B,T,C).</summary>
    public Tensor Forward(Graph graph, Tensor x)
    {
        x = graph.Add(x, AttentionDropout.Forward(graph, Attention.Forward(graph, Norm1.Forward(graph, x))));
        return graph.Add(x, MlpDropout.Forward(graph, Mlp.Forward(graph, Norm2.Forward(graph, x))));
    }
}

/// <summary>L relative-bias blocks named "0".."L−1", seeded as the engine's TransformerStack seeds its blocks.</summary>
public sealed class RelativeBiasStack : Module
{
    private readonly RelativeBiasBlock[] _blocks;

    public RelativeBiasStack(TransformerConfig config, SeededRandom random)
    {
        _blocks = new RelativeBiasBlock[config.Layers];
        for (var i = 0; i < config.Layers; i++)
        {
            _blocks[i] = AddModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                new RelativeBiasBlock(config, random, config.Seed + (1000UL * (ulong)(i + 1))));
        }
    }

    public IReadOnlyList<RelativeBiasBlock> Blocks => _blocks;

    /// <summary>x is (B,T,C); returns (B,T,C), causal.</summary>
    public Tensor Forward(Graph graph, Tensor x)
    {
        foreach (var block in _blocks)
        {
            x = block.Forward(graph, x);
        }
        return x;
    }
}
