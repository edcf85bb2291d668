// The job-matching models: a transformer cross-encoder over the tokenized member–job pair (plus the
// member's recent job history) with one head per policy dimension, an overall head and an apply head.
using Lodestar.Nn;
using Lodestar.Tensors;

namespace Lodestar.Models.JobMatching;

/// <summary>Which role a model plays; all share the input format and the output layout.</summary>
public enum MatchRole
{
    /// <summary>Trained on policy labels: dimension levels and the overall score.</summary>
    PolicyTeacher,

    /// <summary>Trained on apply-after-view events, calibrated on validation.</summary>
    ClickTeacher,

    /// <summary>Small model distilled from both teachers (and optionally hard labels).</summary>
    Student,
}

/// <summary>Size of one match model; the vocabulary comes from the tokenizer.</summary>
public sealed record MatchModelConfig
{
    /// <summary>Model width C.</summary>
    public int Channels { get; init; } = 64;

    /// <summary>Attention heads H (must divide Channels).</summary>
    public int Heads { get; init; } = 4;

    /// <summary>MLP hidden width F.</summary>
    public int FeedForward { get; init; } = 256;

    /// <summary>Transformer blocks L.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Tokens per pair T (prompt cut and padded to it).</summary>
    public int MaxTokens { get; init; } = 96;

    /// <summary>Seed of the weight initialization.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Tiny teacher for tests and the quickstart.</summary>
    public static MatchModelConfig TinyTeacher { get; } = new();

    /// <summary>Student over 10× smaller than the tiny teacher (the token embedding dominates both).</summary>
    public static MatchModelConfig TinyStudent { get; } = new() { Channels = 12, Heads = 2, FeedForward = 24, Layers = 1 };

    /// <summary>The largest teacher that trains here in about an hour (2 cores).</summary>
    public static MatchModelConfig LargeTeacher { get; } = new() { Channels = 192, Heads = 6, FeedForward = 768, Layers = 4, MaxTokens = 128 };

    public MatchModelConfig Validate()
    {
        Check(Channels > 0, nameof(Channels), Channels);
        Check(Heads > 0 && Channels % Heads == 0, nameof(Heads), Heads);
        Check(FeedForward > 0, nameof(FeedForward), FeedForward);
        Check(Layers >= 1, nameof(Layers), Layers);
        Check(MaxTokens >= 8, nameof(MaxTokens), MaxTokens);
        return this;
    }

    public TransformerConfig ToTransformer(int vocabSize, int outputs) => new()
    {
        VocabSize = vocabSize,
        Channels = Channels,
        Heads = Heads,
        FeedForward = FeedForward,
        Layers = Layers,
        MaxTokens = MaxTokens,
        NumClasses = outputs,
        Seed = Seed,
    };

    private static void Check(bool condition, string field, int value)
    {
        if (!condition)
        {
            throw new ArgumentException($"MatchModelConfig.{field} = {value} is out of range");
        }
    }
}

/// <summary>
/// Columns of a match model's output row: for each policy dimension its level logits (softmax over the
/// dimension's scale), then one logit for the overall score (σ gives it on [0,1]), then one apply logit.
/// </summary>
public sealed class MatchOutputLayout
{
    public MatchOutputLayout(IReadOnlyList<int> dimensionLevels)
    {
        if (dimensionLevels.Count == 0 || dimensionLevels.Any(l => l < 2))
        {
            throw new ArgumentException("every policy dimension needs at least 2 levels", nameof(dimensionLevels));
        }
        DimensionLevels = dimensionLevels.ToArray();
        DimensionOffsets = new int[DimensionLevels.Count];
        var offset = 0;
        for (var d = 0; d < DimensionLevels.Count; d++)
        {
            DimensionOffsets[d] = offset;
            offset += DimensionLevels[d];
        }
        OverallColumn = offset;
        ApplyColumn = offset + 1;
        Width = offset + 2;
    }

    public IReadOnlyList<int> DimensionLevels { get; }

    public int[] DimensionOffsets { get; }

    public int OverallColumn { get; }

    public int ApplyColumn { get; }

    public int Width { get; }
}

public sealed class MatchModel : Module
{
    public MatchModel(MatchRole role, MatchModelConfig config, int vocabSize, MatchOutputLayout layout)
    {
        Role = role;
        Config = config.Validate();
        Layout = layout;
        Encoder = AddModule("encoder", new TransformerClassifier(config.ToTransformer(vocabSize, layout.Width)));
    }

    public MatchRole Role { get; }

    public MatchModelConfig Config { get; }

    public MatchOutputLayout Layout { get; }

    public TransformerClassifier Encoder { get; }

    /// <summary>tokens (B·T) with keep (B·T) marking real tokens; returns logits (B, Layout.Width).</summary>
    public Tensor Forward(Graph graph, int[] tokens, int batch, byte[] keep) =>
        Encoder.Forward(graph, tokens, batch, Config.MaxTokens, keep);

    /// <summary>Multiply–adds of one forward pass over a pair, counted as 2 FLOPs each (dense layers and attention).</summary>
    public double ForwardFlopsPerPair()
    {
        double c = Config.Channels, f = Config.FeedForward, t = Config.MaxTokens;
        var perLayer = t * ((2 * 4 * c * c) + (2 * 2 * c * f)) + (2 * 2 * t * t * c);
        return (Config.Layers * perLayer) + (2 * c * Layout.Width);
    }
}
