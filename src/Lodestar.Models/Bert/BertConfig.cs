// The shape of a BERT-family encoder (BERT, MiniLM, snowflake-arctic-embed): post-norm blocks, learned absolute
// positions, token-type embeddings, exact GELU, LayerNorm ε = 1e-12, as the Hugging Face BertModel computes.
using Lodestar.Core;

namespace Lodestar.Models.Bert;

/// <summary>How an encoder turns hidden states (B,T,C) into one vector per sequence (B,C).</summary>
public enum BertPooling
{
    /// <summary>The mean over real (unpadded) tokens: sentence-transformers' choice for MiniLM.</summary>
    Mean,

    /// <summary>The [CLS] token's state (position 0).</summary>
    Cls,
}

public sealed record BertConfig
{
    /// <summary>WordPiece vocabulary size (bert-base-uncased: 30,522).</summary>
    public int VocabSize { get; init; } = 30_522;

    /// <summary>Hidden width C (hidden_size).</summary>
    public int Channels { get; init; } = 384;

    /// <summary>Attention heads H (must divide C).</summary>
    public int Heads { get; init; } = 12;

    /// <summary>Width F of the feed-forward layer (intermediate_size).</summary>
    public int FeedForward { get; init; } = 1536;

    /// <summary>Encoder layers L (num_hidden_layers).</summary>
    public int Layers { get; init; } = 6;

    /// <summary>Learned absolute positions, the longest sequence T (max_position_embeddings).</summary>
    public int MaxPositions { get; init; } = 512;

    /// <summary>Token types (type_vocab_size): segment A and B.</summary>
    public int TokenTypes { get; init; } = 2;

    /// <summary>ε of every LayerNorm (layer_norm_eps).</summary>
    public float LayerNormEps { get; init; } = 1e-12f;

    /// <summary>Dropout on embeddings, attention output and feed-forward output while training (hidden_dropout_prob).</summary>
    public float Dropout { get; init; } = 0.1f;

    public BertPooling Pooling { get; init; } = BertPooling.Mean;

    /// <summary>Seed of the initialization (weights from a checkpoint replace it) and of dropout.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>all-MiniLM-L6-v2 (sentence-transformers): 6 layers of width 384, 12 heads, 22.7M parameters.</summary>
    public static BertConfig MiniLmL6 { get; } = new();

    public BertConfig Validate()
    {
        this.Require(VocabSize >= 1, VocabSize, "must be positive");
        this.Require(Channels >= 1, Channels, "must be positive");
        this.Require(Heads >= 1 && Channels % Heads == 0, Heads, $"must divide Channels ({Channels})");
        this.Require(FeedForward >= 1, FeedForward, "must be positive");
        this.Require(Layers >= 1, Layers, "must be at least 1");
        this.Require(MaxPositions >= 1, MaxPositions, "must be positive");
        this.Require(TokenTypes >= 1, TokenTypes, "must be positive");
        this.Require(LayerNormEps > 0, LayerNormEps, "must be positive");
        this.Require(Dropout is >= 0 and < 1, Dropout, "must be in [0, 1)");
        return this;
    }
}
