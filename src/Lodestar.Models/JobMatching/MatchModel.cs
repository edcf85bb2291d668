// The job-matching models: a transformer cross-encoder over the tokenized member–job pair (plus the
// member's recent job history) with one head per policy dimension, an overall head and an apply head.
using Lodestar.Core;
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

    /// <summary>Token embedding width E (0: the model width C); E &lt; C adds a learned E → C projection.</summary>
    public int EmbeddingChannels { get; init; }

    /// <summary>Tokens per pair T (prompt cut and padded to it).</summary>
    public int MaxTokens { get; init; } = 96;

    /// <summary>Seed of the weight initialization.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// The member's tokens (the first MatchExample.MemberTokens of each pair) attend only to each other, so the member's
    /// part is the same whatever job follows and one pass over it serves many jobs (MatchModel.ScoreCandidates). Needs
    /// pairs rendered member first (MatchDataConfig.MemberFirst).
    /// </summary>
    /// <remarks>Written to JSON only when set, so the specs of models without it are unchanged.</remarks>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool IsolatedMember { get; init; }

    /// <summary>
    /// Heads each block kept after structured pruning (one per block, each at most Heads; the head width stays
    /// Channels/Heads); null: every block has Heads. Written to JSON only when set.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public LayerWidths? LayerHeads { get; init; }

    /// <summary>MLP width each block kept after structured pruning (one per block); null: every block has FeedForward.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public LayerWidths? LayerFeedForward { get; init; }

    /// <summary>Whether structured pruning gave some block fewer heads or a narrower MLP than the config's uniform sizes.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsPruned => LayerHeads is not null || LayerFeedForward is not null;

    /// <summary>Tiny teacher for unit tests (seconds to train).</summary>
    public static MatchModelConfig TinyTeacher { get; } = new();

    /// <summary>Tiny student for unit tests.</summary>
    public static MatchModelConfig TinyStudent { get; } = new() { Channels = 12, Heads = 2, FeedForward = 24, Layers = 1 };

    /// <summary>
    /// The quickstart's and the experiment's policy/click teacher: 4 blocks of width 256 (≈3.4M parameters),
    /// the largest that trains on the quickstart world in minutes on 2 cores.
    /// </summary>
    public static MatchModelConfig Teacher { get; } = new() { Channels = 256, Heads = 4, FeedForward = 1024, Layers = 4 };

    /// <summary>
    /// The student (≈ 0.25M parameters): one block of width 128 with a 512-wide MLP over 32-wide token embeddings
    /// projected to 128 (the vocabulary table would otherwise be half the model). At batch 64 its forward pass
    /// is [6144 × 128]·[128 × {384, 128, 512}] and [6144 × 512]·[512 × 128] GEMMs, wide enough for the FMA units
    /// (a C = 12 student spends its time on per-op overhead instead).
    /// </summary>
    public static MatchModelConfig Student { get; } = new() { Channels = 128, Heads = 2, FeedForward = 512, Layers = 1, EmbeddingChannels = 32 };

    /// <summary>The largest teacher considered (≈ 27M parameters); its training time is extrapolated from measured steps.</summary>
    public static MatchModelConfig LargeTeacher { get; } = new() { Channels = 512, Heads = 8, FeedForward = 2048, Layers = 8 };

    /// <summary>The click teacher: apply behaviour needs less capacity than the policy, so two blocks of width 128.</summary>
    public static MatchModelConfig ClickTeacher { get; } = new() { Channels = 128, Heads = 2, FeedForward = 512, Layers = 2 };

    /// <summary>Presets by name, for the CLI.</summary>
    public static IReadOnlyDictionary<string, MatchModelConfig> Presets { get; } = new Dictionary<string, MatchModelConfig>(StringComparer.Ordinal)
    {
        ["tiny-teacher"] = TinyTeacher,
        ["tiny-student"] = TinyStudent,
        ["teacher"] = Teacher,
        ["click-teacher"] = ClickTeacher,
        ["student"] = Student,
        ["large-teacher"] = LargeTeacher,
    };

    public MatchModelConfig Validate()
    {
        this.Require(Channels > 0, Channels, "must be positive");
        this.Require(Heads > 0 && Channels % Heads == 0, Heads, $"must divide Channels ({Channels})");
        this.Require(FeedForward > 0, FeedForward, "must be positive");
        this.Require(Layers >= 1, Layers, "must be at least 1");
        this.Require(MaxTokens >= 8, MaxTokens, "must be at least 8");
        this.Require(EmbeddingChannels >= 0 && EmbeddingChannels <= Channels, EmbeddingChannels, $"must be in [0, Channels ({Channels})]");
        this.Require(LayerHeads is null || (LayerHeads.Count == Layers && LayerHeads.All(h => h >= 1 && h <= Heads)), LayerHeads,
            $"must hold one head count in [1, Heads ({Heads})] per block ({Layers})");
        this.Require(LayerFeedForward is null || (LayerFeedForward.Count == Layers && LayerFeedForward.All(f => f >= 1)), LayerFeedForward,
            $"must hold one positive MLP width per block ({Layers})");
        return this;
    }

    /// <summary>E: the token embedding width in use.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int EmbeddingWidth => EmbeddingChannels == 0 ? Channels : EmbeddingChannels;

    public TransformerConfig ToTransformer(int vocabSize, int outputs) => new()
    {
        VocabSize = vocabSize,
        Channels = Channels,
        Heads = Heads,
        FeedForward = FeedForward,
        Layers = Layers,
        LayerHeads = LayerHeads,
        LayerFeedForward = LayerFeedForward,
        MaxTokens = MaxTokens,
        NumClasses = outputs,
        Seed = Seed,
    };
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

public sealed partial class MatchModel : Module
{
    public MatchModel(MatchRole role, MatchModelConfig config, int vocabSize, MatchOutputLayout layout)
    {
        Role = role;
        Config = config.Validate();
        Layout = layout;
        Encoder = AddModule("encoder", new MatchEncoder(Config, vocabSize, layout.Width));
    }

    public MatchRole Role { get; }

    public MatchModelConfig Config { get; }

    public MatchOutputLayout Layout { get; }

    public MatchEncoder Encoder { get; }

    /// <summary>tokens (B·T) with keep (B·T) marking real tokens; returns logits (B, Layout.Width).</summary>
    public Tensor Forward(Graph graph, int[] tokens, int batch, byte[] keep) =>
        Encoder.Forward(graph, tokens, batch, keep);

    /// <summary>
    /// tokens (B·L) with keep (B·L) for a batch cut to length L ≤ MaxTokens (see MatchEncoder.Forward); memberLengths (B),
    /// each pair's member tokens, when the model isolates them.
    /// </summary>
    public Tensor Forward(Graph graph, int[] tokens, int batch, int length, byte[] keep, int[]? memberLengths = null) =>
        Encoder.Forward(graph, tokens, batch, length, keep, memberLengths);

    /// <summary>
    /// Logits (N, Layout.Width) of N jobs for one member in one pass: the member's tokens once, then every job's, each job
    /// attending to the member and itself only. Equal to scoring each (member, job) pair on its own, since a model that
    /// isolates the member (Config.IsolatedMember) lets no job change the member's part.
    /// </summary>
    public Tensor ScoreCandidates(Graph graph, ReadOnlySpan<int> member, IReadOnlyList<int[]> jobs) =>
        Encoder.ForwardCandidates(graph, member, jobs);

    /// <summary>
    /// FLOPs of the real tokens of a batch (keep is B·L for any L ≤ MaxTokens), a multiply–add counted as 2: for each
    /// pair with K real tokens, the embedding projection E·C (when E &lt; C), then per layer QKV 3C², attention
    /// output C² and MLP 2·C·F per real token, and attention scores and the weighted sum (2·C each) over its K × K
    /// real (query, key) pairs; plus the head on the pooled rows. Padding rows are not counted although the dense
    /// layers run over them (bucketing batches by length keeps them few); norms, GELU, softmax, embedding gathers and
    /// pooling are not multiply–adds and are not counted either, so the figure is a lower bound.
    /// </summary>
    public double ForwardFlops(byte[] keep, int batch)
    {
        if (batch < 1 || keep.Length % batch != 0)
        {
            throw new ArgumentException($"ForwardFlops: {keep.Length} keep flags do not split into {batch} rows");
        }
        double c = Config.Channels;
        var t = keep.Length / batch;
        double tokens = 0, squares = 0;
        for (var b = 0; b < batch; b++)
        {
            var real = t - keep.AsSpan(b * t, t).Count((byte)0);
            tokens += real;
            squares += (double)real * real;
        }
        var projection = Config.EmbeddingWidth == Config.Channels ? 0 : tokens * 2 * Config.EmbeddingWidth * c;
        var blocks = 0.0;
        var transformer = Encoder.Transformer;
        for (var layer = 0; layer < Config.Layers; layer++)
        {
            // A pruned block attends with fewer heads of the same width: its QKV, output, score and sum work shrink with them.
            double inner = transformer.HeadsOf(layer) * transformer.HeadDim, f = transformer.FeedForwardOf(layer);
            blocks += (tokens * 2 * ((4 * c * inner) + (2 * c * f))) + (2 * 2 * squares * inner);
        }
        return projection + blocks + (2.0 * batch * c * Layout.Width);
    }
}
