// The resolved configuration of one match training run (`lodestar train policy-teacher|click-teacher|
// student --config C`): data, model size, optimization, early stopping and, for a student, its teachers.
using System.Text.Json;
using System.Text.Json.Serialization;
using Lodestar.Core;
using Lodestar.Models.JobMatching;
using Lodestar.Features.JobMatching;

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

    /// <summary>Passes over the training split (early stopping may end sooner).</summary>
    public int Epochs { get; init; } = 4;

    public int BatchSize { get; init; } = 32;

    /// <summary>Peak AdamW learning rate (linear warmup, cosine decay to a tenth).</summary>
    public float LearningRate { get; init; } = 2e-3f;

    public int WarmupSteps { get; init; } = 20;

    /// <summary>Global gradient-norm clip.</summary>
    public float ClipNorm { get; init; } = 1f;

    /// <summary>Epochs without a better validation loss before stopping.</summary>
    public int Patience { get; init; } = 2;

    /// <summary>Steps between checkpoints inside an epoch (one is also written at every epoch end).</summary>
    public int CheckpointEverySteps { get; init; } = 50;

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

    /// <summary>Stops (as if killed) after this many steps of this invocation; for resume tests. Not part of the resolved run.</summary>
    [JsonIgnore]
    public int? StopAfterSteps { get; init; }

    public MatchTrainingConfig Validate()
    {
        Model.Validate();
        Data.Validate();
        Distillation.Validate();
        this.Require(Epochs >= 1, Epochs, "must be at least 1");
        this.Require(BatchSize >= 1, BatchSize, "must be at least 1");
        this.Require(LearningRate > 0, LearningRate, "must be positive");
        this.Require(WarmupSteps >= 0, WarmupSteps, "must not be negative");
        this.Require(ClipNorm > 0, ClipNorm, "must be positive");
        this.Require(Patience >= 1, Patience, "must be at least 1");
        this.Require(CheckpointEverySteps >= 1, CheckpointEverySteps, "must be at least 1");
        this.Require(TokenizerVocab >= 512, TokenizerVocab, "must be at least 512");
        return this;
    }

    public string RunDirectory(MatchRole role) => Path.Combine(RunsDirectory, RunName ?? MatchModel.RoleName(role));


    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Reads a config JSON file (snake_case keys; absent keys keep their defaults).</summary>
    public static MatchTrainingConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: config file not found", path);
        }
        try
        {
            return (JsonSerializer.Deserialize<MatchTrainingConfig>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path}: config is null")).Validate();
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: line {(ex.LineNumber ?? 0) + 1}, field {ex.Path}: {ex.Message.Split(" Path:")[0]}", ex);
        }
        catch (InvalidConfigException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }
}
