// The transformer's shape and variant choices, validated once; the reference model (Base, built in PyTorch by
// bench/compare/torch_transformer.py) is the default (pre-norm LayerNorm, GELU-tanh MLP, learned positions, mean pooling).
using Lodestar.Core;

namespace Lodestar.Nn;

public enum PositionEncoding
{
    /// <summary>pos_emb (Tmax, C) added to the token embeddings.</summary>
    Learned,

    /// <summary>Rotary embeddings applied to q and k inside attention (no pos_emb parameter).</summary>
    Rotary,
}

public enum NormKind
{
    LayerNorm,
    RmsNorm,
}

public enum MlpKind
{
    /// <summary>fc2(GELU(fc1(x))), GELU in its tanh approximation.</summary>
    Gelu,

    /// <summary>fc2(SiLU(fc1(x))).</summary>
    Silu,

    /// <summary>fc2(SiLU(gate(x)) ⊙ fc1(x)) (Shazeer 2020, "GLU Variants Improve Transformer").</summary>
    SwiGlu,
}

public enum PoolingKind
{
    /// <summary>Mean over the unpadded positions.</summary>
    Mean,

    /// <summary>The first token.</summary>
    Cls,

    /// <summary>The last unpadded token (natural for causal models).</summary>
    LastToken,
}

public sealed record TransformerConfig
{
    /// <summary>Token ids are in [0, VocabSize).</summary>
    public int VocabSize { get; init; } = 8192;

    /// <summary>Model width C.</summary>
    public int Channels { get; init; } = 256;

    /// <summary>Attention heads H; head dim is C/H.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>MLP hidden width F.</summary>
    public int FeedForward { get; init; } = 1024;

    /// <summary>Transformer blocks L.</summary>
    public int Layers { get; init; } = 4;

    /// <summary>Longest sequence Tmax (rows of pos_emb).</summary>
    public int MaxTokens { get; init; } = 128;

    /// <summary>Outputs of the classification head.</summary>
    public int NumClasses { get; init; } = 2;

    /// <summary>Causal (decoder-style) attention instead of bidirectional.</summary>
    public bool Causal { get; init; }

    public PositionEncoding Positions { get; init; } = PositionEncoding.Learned;

    public NormKind Norm { get; init; } = NormKind.LayerNorm;

    public MlpKind Mlp { get; init; } = MlpKind.Gelu;

    public PoolingKind Pooling { get; init; } = PoolingKind.Mean;

    /// <summary>Dropout on the residual branches and embeddings (0 = none, as in the reference model).</summary>
    public float Dropout { get; init; }

    /// <summary>Seed of the weight initialization and dropout masks.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// Heads each block keeps after structured pruning (one entry per block, each at most Heads, head dim still C/H);
    /// null: every block has Heads.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public LayerWidths? LayerHeads { get; init; }

    /// <summary>MLP hidden width of each block after structured pruning (one entry per block); null: every block has FeedForward.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public LayerWidths? LayerFeedForward { get; init; }

    public int HeadDim => Channels / Heads;

    /// <summary>Heads of block <paramref name="layer"/>.</summary>
    public int HeadsOf(int layer) => LayerHeads?[layer] ?? Heads;

    /// <summary>MLP hidden width of block <paramref name="layer"/>.</summary>
    public int FeedForwardOf(int layer) => LayerFeedForward?[layer] ?? FeedForward;

    /// <summary>The "base" benchmark model: d=256, H=4, F=1024, L=4, V=8192, T=128.</summary>
    public static TransformerConfig Base { get; } = new();

    /// <summary>The "small" benchmark model: d=128, H=4, F=512, L=2, V=8192, T=128.</summary>
    public static TransformerConfig Small { get; } = new() { Channels = 128, FeedForward = 512, Layers = 2 };

    /// <summary>The golden-file model: V=64, C=32, H=4, F=64, L=2, Tmax=16, 5 classes.</summary>
    public static TransformerConfig Golden { get; } = new() { VocabSize = 64, Channels = 32, Heads = 4, FeedForward = 64, Layers = 2, MaxTokens = 16, NumClasses = 5 };

    public TransformerConfig Validate()
    {
        this.Require(VocabSize > 0, VocabSize, "must be positive");
        this.Require(Channels > 0, Channels, "must be positive");
        this.Require(Heads > 0 && Channels % Heads == 0, Heads, $"must divide Channels ({Channels})");
        this.Require(Positions != PositionEncoding.Rotary || HeadDim % 2 == 0, Positions, $"must not be rotary with an odd head dim ({HeadDim})");
        this.Require(FeedForward > 0, FeedForward, "must be positive");
        this.Require(Layers >= 0, Layers, "must not be negative");
        this.Require(MaxTokens > 0, MaxTokens, "must be positive");
        this.Require(NumClasses > 0, NumClasses, "must be positive");
        this.Require(Dropout is >= 0f and < 1f, Dropout, "must be in [0, 1)");
        this.Require(LayerHeads is null || (LayerHeads.Count == Layers && LayerHeads.All(h => h >= 1 && h <= Heads)), LayerHeads,
            $"must hold one head count in [1, Heads ({Heads})] per block ({Layers})");
        this.Require(LayerFeedForward is null || (LayerFeedForward.Count == Layers && LayerFeedForward.All(f => f >= 1)), LayerFeedForward,
            $"must hold one positive MLP width per block ({Layers})");
        return this;
    }
}
