// How the one training loop optimises any task: epochs, batches, AdamW's learning rate and its schedule,
// clipping, validation cadence, early stopping, a wall-clock budget and checkpoint cadence. Every task's
// config holds one, with defaults of its own, and it is written into every run record.
using System.Text.Json.Serialization;
using Lodestar.Core;
using Lodestar.Nn.Optim;

namespace Lodestar.Training.Loop;

[JsonConverter(typeof(JsonStringEnumConverter<LearningRateSchedule>))]
public enum LearningRateSchedule
{
    /// <summary>Linear warmup to the peak, then constant (SASRec as commonly trained).</summary>
    [JsonStringEnumMemberName("constant")] Constant,

    /// <summary>Linear warmup, then cosine decay to FinalLearningRateFraction of the peak at the last step (nanoGPT).</summary>
    [JsonStringEnumMemberName("cosine")] Cosine,
}

public sealed record TrainingConfig
{
    /// <summary>Upper bound on epochs (one pass over the training examples). Default 200.</summary>
    public int Epochs { get; init; } = 200;

    /// <summary>Examples (users, pairs) per optimiser step. Default 128.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Peak AdamW learning rate. Default 1e-3.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Shape of the learning rate over steps. Default constant.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>Cosine only: the floor reached at the last step, as a fraction of the peak. Default 0.1.</summary>
    public double FinalLearningRateFraction { get; init; } = 0.1;

    /// <summary>Steps of linear learning-rate warmup. Default 100.</summary>
    public int WarmupSteps { get; init; } = 100;

    /// <summary>Decoupled weight decay (each task says which parameters it applies to). Default 0.</summary>
    public float WeightDecay { get; init; }

    /// <summary>Global gradient-norm clip; 0 disables. Default 1.</summary>
    public float ClipNorm { get; init; } = 1f;

    /// <summary>Validate every this many epochs (and always after the last). Default 1.</summary>
    public int EvalEvery { get; init; } = 1;

    /// <summary>Stop after this many validations without a better selection metric. Default 5.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>Stop at the first validation after this many minutes; 0 means no budget. Default 0.</summary>
    public double MaxMinutes { get; init; }

    /// <summary>Also write the resumable checkpoint every this many steps inside an epoch; 0: at epoch ends only. Default 0.</summary>
    public int CheckpointEverySteps { get; init; }

    public void Validate()
    {
        this.Require(Epochs >= 1, Epochs, "must be at least 1");
        this.Require(BatchSize >= 1, BatchSize, "must be at least 1");
        this.Require(LearningRate > 0 && float.IsFinite(LearningRate), LearningRate, "must be positive");
        this.Require(Enum.IsDefined(Schedule), Schedule, "must be constant or cosine");
        this.Require(FinalLearningRateFraction is >= 0 and <= 1, FinalLearningRateFraction, "must be in [0, 1]");
        this.Require(WarmupSteps >= 0, WarmupSteps, "must not be negative");
        this.Require(WeightDecay >= 0, WeightDecay, "must not be negative");
        this.Require(ClipNorm >= 0, ClipNorm, "must not be negative");
        this.Require(EvalEvery >= 1, EvalEvery, "must be at least 1");
        this.Require(Patience >= 1, Patience, "must be at least 1");
        this.Require(MaxMinutes >= 0, MaxMinutes, "must not be negative");
        this.Require(CheckpointEverySteps >= 0, CheckpointEverySteps, "must not be negative");
    }

    /// <summary>The learning rate of 0-based <paramref name="step"/> in a run of <paramref name="totalSteps"/> steps.</summary>
    public float LearningRateAt(long step, long totalSteps)
    {
        if (Schedule == LearningRateSchedule.Constant)
        {
            return WarmupSteps == 0 || step >= WarmupSteps ? LearningRate : LearningRate * (step + 1) / WarmupSteps;
        }
        // Warmup never takes the whole run, so the cosine has at least one step to decay over.
        return new WarmupCosineSchedule
        {
            PeakLearningRate = LearningRate,
            MinLearningRate = (float)(LearningRate * FinalLearningRateFraction),
            WarmupSteps = (int)Math.Min(WarmupSteps, totalSteps - 1),
            TotalSteps = (int)totalSteps,
        }.LearningRate((int)step);
    }
}
