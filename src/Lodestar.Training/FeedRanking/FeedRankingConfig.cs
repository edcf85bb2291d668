// The resolved configuration of one feed-ranking run (`lodestar feed train --config C`): the world, how its feed
// log splits by day, the ranker's shape, the weight of each task's loss, and the one training loop's settings.
using System.Text.Json.Serialization;
using Lodestar.Core;
using Lodestar.Features.FeedRanking;
using Lodestar.Features.Retrieval;
using Lodestar.Models.FeedRanking;
using Lodestar.Training.Loop;

namespace Lodestar.Training.FeedRanking;

public sealed record FeedRankingConfig
{
    /// <summary>World directory (from `lodestar world generate`).</summary>
    public string World { get; init; } = "world";

    /// <summary>Which days at the end of the log are validation and test.</summary>
    public RetrievalDataConfig Data { get; init; } = new();

    /// <summary>The ranker; its fused feature count is the feature builder's (10) unless late fusion is turned off (0).</summary>
    public FeedRankerConfig Model { get; init; } = new();

    /// <summary>Weight of each task's binary cross-entropy, in FeedTasks order (click, skip, long dwell, like, comment, share). Default all 1.</summary>
    public float[] TaskWeights { get; init; } = [1, 1, 1, 1, 1, 1];

    /// <summary>Validation and test member-days scored (drawn by a fixed hash of member and day, the same for every seed); 0: all. Default 2,000.</summary>
    public int EvaluationDays { get; init; } = 2000;

    /// <summary>Seed of the weights and the batch order.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Optimisation by the one training loop; absent fields keep these defaults.</summary>
    [JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
    public TrainingConfig Training { get; init; } = DefaultTraining;

    public static TrainingConfig DefaultTraining => new()
    {
        Epochs = 5,
        BatchSize = 32,
        LearningRate = 1e-3f,
        Schedule = LearningRateSchedule.Cosine,
        WarmupSteps = 20,
        WeightDecay = 0.01f,
        Patience = 2,
    };

    public FeedRankingConfig Validate()
    {
        Data.Validate();
        Model.Validate();
        Training.Validate();
        this.Require(Model.FusedFeatures is 0 or FeedRankingFeatures.Count, Model.FusedFeatures, $"must be {FeedRankingFeatures.Count} (the features built: {string.Join(", ", FeedRankingFeatures.Names)}) or 0 (no late fusion)");
        this.Require(TaskWeights.Length == FeedTasks.Count && TaskWeights.All(w => w >= 0 && float.IsFinite(w)) && TaskWeights.Any(w => w > 0), TaskWeights,
            $"must be {FeedTasks.Count} non-negative weights ({string.Join(", ", FeedTasks.Names)}), not all zero");
        this.Require(EvaluationDays >= 0, EvaluationDays, "must not be negative");
        return this;
    }

    public static FeedRankingConfig Load(string path) => RunJson.ReadConfig<FeedRankingConfig>(path, c => c.Validate());
}
