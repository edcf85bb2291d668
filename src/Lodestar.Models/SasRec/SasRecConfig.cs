// Shape and loss of the SASRec-style next-item transformer (Kang & McAuley, ICDM 2018) in its modern form:
// pre-norm blocks, tied item embeddings and a softmax over items (Klenitskiy & Vasilev, RecSys 2023).
using Lodestar.Core;
using Lodestar.Nn;

namespace Lodestar.Models.SasRec;

public enum ItemSoftmax
{
    /// <summary>Cross-entropy over every item: exact, cost O(positions × items × C) per step.</summary>
    Full,

    /// <summary>Cross-entropy over the batch's targets plus sampled negatives, each logit corrected by
    /// −log q(item) for its sampling probability (logQ correction, Yi et al. RecSys 2019).</summary>
    Sampled,
}

public sealed record SasRecConfig
{
    /// <summary>Most recent items the model reads (older ones are dropped). Default 50, as SASRec on Amazon.</summary>
    public int MaxLength { get; init; } = 50;

    /// <summary>Width C of item embeddings and hidden states. Default 64.</summary>
    public int Channels { get; init; } = 64;

    /// <summary>Attention heads H (C/H per head). Default 2.</summary>
    public int Heads { get; init; } = 2;

    /// <summary>MLP hidden width. Default 256 (4·C).</summary>
    public int FeedForward { get; init; } = 256;

    /// <summary>Transformer blocks. Default 2.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Dropout on embeddings and residual branches; Amazon sets are small and overfit fast. Default 0.3.</summary>
    public float Dropout { get; init; } = 0.3f;

    /// <summary>Learned absolute positions or rotary embeddings inside attention. Default learned.</summary>
    public PositionEncoding Positions { get; init; } = PositionEncoding.Learned;

    /// <summary>Add a learned per-(head, bucketed relative distance) bias to the attention logits, HSTU-style
    /// (Zhai et al. 2024); attention is then materialised (B,H,T,T) instead of the fused kernel. Default false.</summary>
    public bool RelativeBias { get; init; }

    /// <summary>Full or sampled softmax over items. Default full (the "SASRec with CE loss" result).</summary>
    public ItemSoftmax Softmax { get; init; } = ItemSoftmax.Full;

    /// <summary>Negatives drawn per step for the sampled softmax (from item popularity, shared by the batch). Default 2048.</summary>
    public int SampledNegatives { get; init; } = 2048;

    public void Validate()
    {
        this.Require(MaxLength >= 2, MaxLength, "must be at least 2");
        this.Require(Channels >= 1, Channels, "must be at least 1");
        this.Require(Heads >= 1 && Channels % Heads == 0, Heads, $"must divide Channels ({Channels})");
        this.Require(Positions != PositionEncoding.Rotary || (Channels / Heads) % 2 == 0, Positions, "must be learned when the head width is odd");
        this.Require(FeedForward >= 1, FeedForward, "must be at least 1");
        this.Require(Layers >= 1, Layers, "must be at least 1");
        this.Require(Dropout is >= 0f and < 1f, Dropout, "must be in [0, 1)");
        this.Require(Enum.IsDefined(Softmax), Softmax, "must be full or sampled");
        this.Require(SampledNegatives >= 1, SampledNegatives, "must be at least 1");
    }

    /// <summary>The engine's transformer settings for the block stack (causal, pre-norm LayerNorm, GELU MLP).</summary>
    public TransformerConfig Stack(ulong seed) => new()
    {
        VocabSize = 1,
        Channels = Channels,
        Heads = Heads,
        FeedForward = FeedForward,
        Layers = Layers,
        MaxTokens = MaxLength,
        Causal = true,
        Positions = Positions,
        Dropout = Dropout,
        Seed = seed,
    };
}
