// The resolved configuration of one feed-retrieval run (`lodestar retrieval train --config C`): the world,
// how its feed log becomes examples and prompts, the shared dual encoder, the InfoNCE recipe, and the one
// training loop's settings.
using System.Text.Json.Serialization;
using Lodestar.Core;
using Lodestar.Features.Retrieval;
using Lodestar.Models.Bert;
using Lodestar.Text.Prompts;
using Lodestar.Text.Tokenization;
using Lodestar.Training.Loop;

namespace Lodestar.Training.Retrieval;

public sealed record RetrievalConfig
{
    /// <summary>World directory (from `lodestar world generate`).</summary>
    public string World { get; init; } = "world";

    /// <summary>
    /// A pretrained encoder directory (`lodestar model import`: encoder.safetensors and vocab.txt). When given, the
    /// shared encoder starts from its weights and prompts are written in its WordPiece vocabulary; `model` then
    /// becomes that encoder's config in the run record and `tokenizer_vocab` is not used. Null: trained from scratch.
    /// </summary>
    public string? Pretrained { get; init; }

    /// <summary>What is retrieved: feed posts (from the feed log; positives are engagements) or jobs (from the job log;
    /// positives are applies, hard negatives jobs viewed and not applied to). Default posts.</summary>
    public RetrievalTarget Target { get; init; } = RetrievalTarget.Posts;

    /// <summary>
    /// Jobs only: in training, every job open on a member-day that the policy scores at least this overall (0–4 in the
    /// built-in job-matching policy; 3 is "a good match worth showing") is a positive beside the day's applies, unless the
    /// member passed it over that day. Null: applies only. Validation and test are applies only either way.
    /// </summary>
    public double? PolicyPositives { get; init; }

    /// <summary>The job-matching policy of <see cref="PolicyPositives"/>: a file or a built-in name. Default the built-in job-matching policy.</summary>
    public string Policy { get; init; } = Lodestar.Policy.PolicyLoader.JobMatching;

    /// <summary>BPE vocabulary learned from the world's member and post records (from-scratch encoders only).</summary>
    public int TokenizerVocab { get; init; } = 1024;

    /// <summary>Which days are validation and test.</summary>
    public RetrievalDataConfig Data { get; init; } = new();

    /// <summary>Engagement counts in post prompts: percentile tokens, or raw numbers (the ablation).</summary>
    public CountFormat Counts { get; init; } = CountFormat.Percentile;

    /// <summary>The member's history: engaged posts only, or every impression (the ablation).</summary>
    public HistoryMode History { get; init; } = HistoryMode.Positives;

    /// <summary>Token budget of a member prompt (the oldest history items go first). Default 128.</summary>
    public int MemberTokens { get; init; } = 128;

    /// <summary>Token budget of an item prompt: a post, or a job when the target is jobs. Default 64.</summary>
    public int PostTokens { get; init; } = 64;

    /// <summary>Hard negatives (shown that day, not engaged with) per member-day. Default 2.</summary>
    public int HardNegatives { get; init; } = 2;

    /// <summary>Easy negatives (alive, never shown to the member) per member-day. Default 4.</summary>
    public int EasyNegatives { get; init; } = 4;

    /// <summary>InfoNCE temperature over cosine similarities. Default 0.05.</summary>
    public float Temperature { get; init; } = 0.05f;

    /// <summary>
    /// A finished retrieval run to distil from (its best checkpoint, in the vocabulary and prompt budgets it was trained
    /// with, on the same world): each batch adds distill_weight · T²·KL(teacher ‖ student) over the candidate set. Null: none.
    /// </summary>
    public string? Teacher { get; init; }

    /// <summary>Weight α of the distillation term beside InfoNCE. Default 1.</summary>
    public float DistillWeight { get; init; } = 1f;

    /// <summary>Temperature T softening both candidate distributions in the distillation term. Default 1.</summary>
    public float DistillTemperature { get; init; } = 1f;

    /// <summary>Validation and test member-days scored (the first ones by member and day); 0: all. Default 400.</summary>
    public int EvaluationExamples { get; init; } = 400;

    /// <summary>The shared encoder trained from scratch (its vocabulary is the tokenizer's).</summary>
    public BertConfig Model { get; init; } = new() { Channels = 64, Heads = 2, FeedForward = 128, Layers = 2, MaxPositions = 128, Dropout = 0.1f };

    /// <summary>Seed of the batch order and the negatives drawn.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Optimisation by the one training loop; absent fields keep these defaults.</summary>
    [JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
    public TrainingConfig Training { get; init; } = DefaultTraining;

    public static TrainingConfig DefaultTraining => new()
    {
        Epochs = 3,
        BatchSize = 32,
        LearningRate = 1e-3f,
        Schedule = LearningRateSchedule.Cosine,
        WarmupSteps = 20,
        WeightDecay = 0.01f,
        Patience = 2,
    };

    public RetrievalConfig Validate()
    {
        Data.Validate();
        Training.Validate();
        this.Require(TokenizerVocab >= 512, TokenizerVocab, "must be at least 512");
        this.Require(Enum.IsDefined(Counts), Counts, "must be percentile or raw");
        this.Require(Enum.IsDefined(History), History, "must be positives or all");
        this.Require(Enum.IsDefined(Target), Target, "must be posts or jobs");
        if (Target == RetrievalTarget.Jobs)
        {
            // The ablations and the teacher are of feed retrieval; job prompts carry no feed history and percentile counts only.
            this.Require(Counts == CountFormat.Percentile, Counts, "must be percentile when the target is jobs (raw counts are a feed-post ablation)");
            this.Require(History == HistoryMode.Positives, History, "must be positives when the target is jobs (a member's job prompt is its profile)");
            this.Require(Teacher is null, Teacher, "must be absent when the target is jobs (distillation is of feed retrieval)");
        }
        this.Require(PolicyPositives is null || (Target == RetrievalTarget.Jobs && double.IsFinite(PolicyPositives.Value)), PolicyPositives,
            "must be a finite overall score, and only when the target is jobs");
        // A pretrained encoder's positions are known once it is loaded (ResolvePretrained); its prompts add [CLS] and [SEP].
        var positions = Pretrained is null ? Model.MaxPositions : ResolvedPositions ?? int.MaxValue;
        this.Require(MemberTokens is >= 16 && MemberTokens <= positions, MemberTokens, $"must be in [16, {positions}] (the encoder's positions)");
        this.Require(PostTokens is >= 16 && PostTokens <= positions, PostTokens, $"must be in [16, {positions}] (the encoder's positions)");
        this.Require(HardNegatives >= 0, HardNegatives, "must not be negative");
        this.Require(EasyNegatives >= 0, EasyNegatives, "must not be negative");
        this.Require(Temperature > 0 && float.IsFinite(Temperature), Temperature, "must be positive");
        this.Require(EvaluationExamples >= 0, EvaluationExamples, "must not be negative");
        this.Require(DistillWeight >= 0 && float.IsFinite(DistillWeight), DistillWeight, "must not be negative");
        this.Require(DistillTemperature > 0 && float.IsFinite(DistillTemperature), DistillTemperature, "must be positive");
        return this;
    }

    /// <summary>
    /// Members and posts rendered as this config asks (count format, history mode, token budgets), in
    /// <paramref name="tokenizer"/>'s ids, percentiles fitted before <paramref name="fitBefore"/>.
    /// </summary>
    public RetrievalPrompts Prompts(WorldSnapshot world, FeedLog log, IPromptTokenizer tokenizer, int fitBefore) =>
        new(world, log, PromptLibrary.LoadBuiltIn(), tokenizer, fitBefore, Counts, History, MemberTokens, PostTokens);

    /// <summary>Members and jobs rendered as this config asks (token budgets), job percentiles fitted before <paramref name="fitBefore"/>.</summary>
    public JobRetrievalPrompts JobPrompts(WorldSnapshot world, JobLog log, IPromptTokenizer tokenizer, int fitBefore) =>
        new(world, log, PromptLibrary.LoadBuiltIn(), tokenizer, fitBefore, MemberTokens, PostTokens);

    /// <summary>This config with the pretrained encoder's shape as its model, checked against the prompt budgets.</summary>
    public RetrievalConfig ResolvePretrained(BertConfig encoder) =>
        (this with { Model = encoder, ResolvedPositions = encoder.MaxPositions - 2 }).Validate();

    // Positions left for a prompt's ids in a resolved pretrained encoder (its own minus [CLS] and [SEP]).
    [JsonIgnore]
    private int? ResolvedPositions { get; init; }

    public static RetrievalConfig Load(string path) => RunJson.ReadConfig<RetrievalConfig>(path, c => c.Validate());
}
