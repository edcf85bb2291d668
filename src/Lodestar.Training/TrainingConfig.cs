// Optimisation settings of trainable sequential models: AdamW, batches, early stopping on validation
// NDCG@10, and an optional wall-clock budget. Part of the resolved config written into every run.
using Lodestar.Core;
namespace Lodestar.Training;

public sealed record TrainingConfig
{
    /// <summary>Upper bound on epochs (one pass over every user's training sequence). Default 200.</summary>
    public int Epochs { get; init; } = 200;

    /// <summary>Users per optimiser step. Default 128.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>AdamW learning rate, constant after a linear warmup. Default 1e-3.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Steps of linear learning-rate warmup. Default 100.</summary>
    public int WarmupSteps { get; init; } = 100;

    /// <summary>Decoupled weight decay on matrices (never on norms and biases). Default 0.</summary>
    public float WeightDecay { get; init; }

    /// <summary>Global gradient-norm clip; 0 disables. Default 1.</summary>
    public float ClipNorm { get; init; } = 1f;

    /// <summary>Validate every this many epochs. Default 1.</summary>
    public int EvalEvery { get; init; } = 1;

    /// <summary>Stop after this many validations without a better NDCG@10. Default 5.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>Stop at the first validation after this many minutes; 0 means no budget. Default 0.</summary>
    public double MaxMinutes { get; init; }

    public void Validate()
    {
        this.Require(Epochs >= 1, Epochs, "must be at least 1");
        this.Require(BatchSize >= 1, BatchSize, "must be at least 1");
        this.Require(LearningRate > 0 && float.IsFinite(LearningRate), LearningRate, "must be positive");
        this.Require(WarmupSteps >= 0, WarmupSteps, "must not be negative");
        this.Require(WeightDecay >= 0, WeightDecay, "must not be negative");
        this.Require(ClipNorm >= 0, ClipNorm, "must not be negative");
        this.Require(EvalEvery >= 1, EvalEvery, "must be at least 1");
        this.Require(Patience >= 1, Patience, "must be at least 1");
        this.Require(MaxMinutes >= 0, MaxMinutes, "must not be negative");
    }

    /// <summary>nanoGPT-style: linear warmup to the peak, then constant.</summary>
    public float LearningRateAt(long step) =>
        WarmupSteps == 0 || step >= WarmupSteps ? LearningRate : LearningRate * (step + 1) / WarmupSteps;
}
