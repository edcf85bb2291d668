// The resolved configuration of one match training run (`lodestar match train policy-teacher|click-teacher|
// student --config C`): data, model size, optimization, early stopping and, for a student, its teachers.
using System.Text.Json;
using System.Text.Json.Serialization;
using Lodestar.Core;
using Lodestar.Models.JobMatching;
using Lodestar.Features.JobMatching;
using Lodestar.Training.Loop;

namespace Lodestar.Training.JobMatching;

public sealed record MatchTrainingConfig
{
    /// <summary>World directory (from `lodestar world generate`).</summary>
    public string World { get; init; } = "world";

    /// <summary>Policy file or embedded policy name.</summary>
    public string Policy { get; init; } = "job-matching.yaml";

    /// <summary>Where run directories, the tokenizer and teacher-output caches go.</summary>
    public string RunsDirectory { get; init; } = "runs";

    /// <summary>Run directory name under RunsDirectory (default: the role's name).</summary>
    public string? RunName { get; init; }

    /// <summary>BPE vocabulary size of the tokenizer learned from the world.</summary>
    public int TokenizerVocab { get; init; } = 1024;

    public MatchDataConfig Data { get; init; } = new();

    public MatchModelConfig Model { get; init; } = MatchModelConfig.TinyTeacher;

    /// <summary>
    /// Optimisation by the training loop; absent fields keep these defaults: 4 epochs of batches of 32, AdamW at 2e-3
    /// with weight decay 0.01, 20 warmup steps then cosine decay to a tenth, clip 1, patience 2, a checkpoint every 50 steps.
    /// </summary>
    [JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
    public TrainingConfig Training { get; init; } = DefaultTraining;

    public static TrainingConfig DefaultTraining => new()
    {
        Epochs = 4,
        BatchSize = 32,
        LearningRate = 2e-3f,
        Schedule = LearningRateSchedule.Cosine,
        FinalLearningRateFraction = 0.1,
        WarmupSteps = 20,
        WeightDecay = 0.01f,
        ClipNorm = 1f,
        Patience = 2,
        CheckpointEverySteps = 50,
    };

    /// <summary>Seed of the batch order.</summary>
    public ulong ShuffleSeed { get; init; } = 1;

    /// <summary>Student only: the distillation recipe.</summary>
    public DistillationConfig Distillation { get; init; } = new();

    /// <summary>Student only: run directories of the teachers (null: that teacher is not used).</summary>
    public string? PolicyTeacherRun { get; init; }

    public string? ClickTeacherRun { get; init; }

    /// <summary>
    /// Run directory whose best weights start this run (same model config), e.g. a click teacher fine-tuned from the
    /// policy teacher as LinkedIn's teachers start from one pretrained LLM; null: random initialization.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? InitFrom { get; init; }

    public MatchTrainingConfig Validate()
    {
        Model.Validate();
        Data.Validate();
        Distillation.Validate();
        Training.Validate();
        this.Require(TokenizerVocab >= 512, TokenizerVocab, "must be at least 512");
        this.Require(!Model.IsolatedMember || Data.MemberFirst, Model.IsolatedMember, "needs pairs rendered member first (member_first in data)");
        return this;
    }

    public string RunDirectory(MatchRole role) => Path.Combine(RunsDirectory, RunName ?? MatchModel.RoleName(role));

    /// <summary>
    /// This teacher config on <paramref name="student"/>'s data: same world, policy, runs directory, tokenizer, pairs and
    /// split. A teacher that reads engagement counters (data.engagement_features) keeps that flag and its own max_tokens
    /// for the longer prompts; any other teacher reads the student's prompts.
    /// </summary>
    public MatchTrainingConfig AsTeacherOf(MatchTrainingConfig student) => this with
    {
        World = student.World,
        Policy = student.Policy,
        RunsDirectory = student.RunsDirectory,
        TokenizerVocab = student.TokenizerVocab,
        Data = student.Data with { EngagementFeatures = Data.EngagementFeatures },
        Model = Model with { MaxTokens = Data.EngagementFeatures ? Model.MaxTokens : student.Model.MaxTokens },
        PolicyTeacherRun = null,
        ClickTeacherRun = null,
    };

    /// <summary>First 8 hex digits of SHA-256 over the resolved config JSON (run name excluded): runs of one recipe share it.</summary>
    public string RecipeHash() =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(this with { RunName = null }, RunJson.Options)))[..8];


    /// <summary>Reads and validates a config file (RunJson.ReadConfig).</summary>
    public static MatchTrainingConfig Load(string path) => RunJson.ReadConfig<MatchTrainingConfig>(path, c => c.Validate());
}
