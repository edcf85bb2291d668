// Shape of the feed ranker, a generative recommender over (post, action) sequences (LinkedIn, arXiv 2602.12354):
// the token tables, the causal pre-norm RoPE stack, the late-fused features and the multi-task head.
using Lodestar.Core;
using Lodestar.Nn;

namespace Lodestar.Models.FeedRanking;

/// <summary>The head on top of the sequence: a multi-gate mixture of DCNv2 experts, or one shared DCNv2 tower.</summary>
public enum FeedHead
{
    /// <summary>Shared DCNv2 experts with a softmax gate and a tower per task (Ma et al., KDD 2018).</summary>
    Mmoe,

    /// <summary>One DCNv2 network and one linear layer giving every task's logit (the ablation).</summary>
    Shared,
}

public sealed record FeedRankerConfig
{
    /// <summary>Most recent impressions of a member's history the model reads (older ones are cut). Default 200.</summary>
    public int MaxHistory { get; init; } = 200;

    /// <summary>Width C of token embeddings and hidden states. Default 64.</summary>
    public int Channels { get; init; } = 64;

    /// <summary>Attention heads H (C/H per head, even for RoPE). Default 2.</summary>
    public int Heads { get; init; } = 2;

    /// <summary>MLP hidden width. Default 256 (4·C).</summary>
    public int FeedForward { get; init; } = 256;

    /// <summary>Transformer blocks. Default 2.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Dropout on the blocks' residual branches. Default 0.1.</summary>
    public float Dropout { get; init; } = 0.1f;

    /// <summary>Rows of the hashed post-id table (new posts share rows with old ones, never fail). Default 16,384.</summary>
    public int PostBuckets { get; init; } = 1 << 14;

    /// <summary>Rows of the hashed author table. Default 4,096.</summary>
    public int AuthorBuckets { get; init; } = 1 << 12;

    /// <summary>Rows of the hashed topic table. Default 512.</summary>
    public int TopicBuckets { get; init; } = 512;

    /// <summary>Post formats (text, article, image, video, poll). Default 5.</summary>
    public int Formats { get; init; } = 5;

    /// <summary>
    /// Read the member's history (true), or score each impression alone from its own post token and fused features:
    /// the pointwise ranker LinkedIn's sequential one replaced, with the same head. Default true.
    /// </summary>
    public bool Sequential { get; init; } = true;

    /// <summary>Each impression's action set as a token after its post (true), or post tokens alone (the ablation). Default true.</summary>
    public bool ActionTokens { get; init; } = true;

    /// <summary>
    /// Features concatenated to each candidate's hidden state after the transformer (late fusion; counts, affinities,
    /// recency); 0 turns late fusion off. Set by the feature builder. Default 10.
    /// </summary>
    public int FusedFeatures { get; init; } = 10;

    /// <summary>The multi-task head. Default MMoE.</summary>
    public FeedHead Head { get; init; } = FeedHead.Mmoe;

    /// <summary>DCNv2 experts shared by the tasks (MMoE only). Default 4.</summary>
    public int Experts { get; init; } = 4;

    /// <summary>Cross layers x₀ ⊙ (W·xₗ + b) + xₗ in each DCNv2 network. Default 2.</summary>
    public int CrossLayers { get; init; } = 2;

    /// <summary>Output width of each DCNv2 network's deep layer. Default 64.</summary>
    public int ExpertWidth { get; init; } = 64;

    /// <summary>Tokens in a sequence of <paramref name="impressions"/> impressions.</summary>
    public int TokensOf(int impressions) => ActionTokens ? 2 * impressions : impressions;

    public FeedRankerConfig Validate()
    {
        this.Require(MaxHistory >= 1, MaxHistory, "must be at least 1");
        this.Require(Channels >= 2, Channels, "must be at least 2");
        this.Require(Heads >= 1 && Channels % Heads == 0 && (Channels / Heads) % 2 == 0, Heads, $"must divide Channels ({Channels}) into even head widths (RoPE)");
        this.Require(FeedForward >= 1, FeedForward, "must be at least 1");
        this.Require(Layers >= 1, Layers, "must be at least 1");
        this.Require(Dropout is >= 0f and < 1f, Dropout, "must be in [0, 1)");
        this.Require(PostBuckets >= 1, PostBuckets, "must be at least 1");
        this.Require(AuthorBuckets >= 1, AuthorBuckets, "must be at least 1");
        this.Require(TopicBuckets >= 1, TopicBuckets, "must be at least 1");
        this.Require(Formats >= 1, Formats, "must be at least 1");
        this.Require(FusedFeatures >= 0, FusedFeatures, "must not be negative");
        this.Require(Enum.IsDefined(Head), Head, "must be mmoe or shared");
        this.Require(Experts >= 1, Experts, "must be at least 1");
        this.Require(CrossLayers >= 0, CrossLayers, "must not be negative");
        this.Require(ExpertWidth >= 1, ExpertWidth, "must be at least 1");
        return this;
    }

    /// <summary>The engine's block stack: causal, pre-norm LayerNorm, GELU MLP, rotary positions.</summary>
    public TransformerConfig Stack(ulong seed) => new()
    {
        VocabSize = 1,
        Channels = Channels,
        Heads = Heads,
        FeedForward = FeedForward,
        Layers = Layers,
        MaxTokens = TokensOf(MaxHistory) + 1,
        Causal = true,
        Positions = PositionEncoding.Rotary,
        Dropout = Dropout,
        Seed = seed,
    };
}
