// The one training loop of every task: seeded batches per epoch, AdamW steps under the configured
// schedule with global-norm clipping, validation every few epochs with early stopping on the task's
// selection metric, the best checkpoint, a resumable last checkpoint (weights, AdamW moments, the epoch's
// generator, dropout counters, this loop's state) that a killed run continues from bit for bit, the run
// record after every validation, and test metrics of the best model at the end.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Lodestar.Core;
using Lodestar.Core.Progress;
using Lodestar.Nn;
using Lodestar.Nn.Optim;
using Lodestar.Tensors;

namespace Lodestar.Training.Loop;

/// <summary>Where the loop stood when a checkpoint was written; saved inside it as JSON.</summary>
/// <param name="Epoch">Epochs completed.</param>
/// <param name="Batch">Batches of the next epoch already taken (0 at an epoch's end).</param>
/// <param name="StopReason">Set once the run has stopped early or run out of epochs; a resumed run then only tests.</param>
public sealed record TrainingState(
    int Epoch,
    int Batch,
    long Step,
    int BestEpoch,
    double BestValue,
    int StaleValidations,
    double Seconds,
    double LossSum,
    double LossWeight,
    IReadOnlyList<EpochRecord> Epochs,
    IReadOnlyDictionary<string, double>? BestValidation,
    double SecondsToBestEpoch,
    string? StopReason);

/// <summary>How one call of the loop starts and ends.</summary>
/// <param name="Resume">Continue the run in the directory from its last checkpoint (its run.json must hold the same config).</param>
/// <param name="StopAfterSteps">Stop after this many steps of this call, as a kill would, leaving a resumable checkpoint.</param>
public sealed record LoopOptions(bool Resume = false, int? StopAfterSteps = null, IProgressReporter? Progress = null);

public static class TrainingLoop
{
    public const string BestFile = RunFiles.Best;
    public const string LastFile = RunFiles.Last;

    /// <summary>
    /// Trains <paramref name="task"/> under <paramref name="training"/> into <paramref name="runDirectory"/>, keeping
    /// run.json (started from <paramref name="start"/>: task, config, data) current, and returns the final record.
    /// </summary>
    public static RunRecord<TConfig> Run<TConfig, TBatch>(
        ITrainingTask<TBatch> task, TrainingConfig training, RunRecord<TConfig> start, string runDirectory, LoopOptions options)
    {
        training.Validate();
        Directory.CreateDirectory(runDirectory);
        var last = Path.Combine(runDirectory, LastFile);
        var best = Path.Combine(runDirectory, BestFile);
        var selection = task.Selection;
        var progress = options.Progress;
        var state = new TrainingState(0, 0, 0, 0, selection.Worst, 0, 0, 0, 0, [], null, 0, null);
        if (CheckStart(start, runDirectory, options.Resume) is { Status: RunStatus.Finished } finished)
        {
            // A finished run of the same task, config and data is its own result (an experiment's rerun reuses it).
            return finished;
        }
        // A run killed before its first checkpoint starts over.
        var resuming = options.Resume && File.Exists(last);
        if (resuming)
        {
            state = ReadState(last);
        }
        var record = start with
        {
            Status = RunStatus.Running,
            Selection = selection,
            Parameters = task.Model.ParameterCount,
            Checkpoint = BestFile,
        };
        record = With(record, state);
        record.Write(runDirectory);

        var clock = Stopwatch.StartNew();
        var previousSeconds = state.Seconds;
        double Seconds() => previousSeconds + clock.Elapsed.TotalSeconds;
        var totalSteps = (long)task.BatchesPerEpoch * training.Epochs;
        var parameters = task.Model.Parameters();
        var graph = new Graph();
        var stepsThisCall = 0;
        for (var epoch = state.Epoch + 1; epoch <= training.Epochs && state.StopReason is null; epoch++)
        {
            var random = task.EpochRandom(epoch);
            var batches = task.Batches(epoch, random);
            if (batches.Count != task.BatchesPerEpoch)
            {
                throw new InvalidOperationException($"epoch {epoch} has {batches.Count} batches, the task said {task.BatchesPerEpoch}");
            }
            if (resuming)
            {
                // Mid-epoch checkpoints hold the epoch generator's words; epoch-end ones start the next epoch afresh.
                ModelCheckpoint.LoadTraining(last, task.Model, task.Optimizer, state.Batch > 0 ? random : null, task.CheckpointKind);
                resuming = false;
            }
            var counter = progress is null ? null : ProgressCounter.Start(progress, $"epoch {epoch}", batches.Count);
            counter?.Advance(state.Batch);
            for (var b = state.Batch; b < batches.Count; b++)
            {
                task.Model.Train();
                graph.Reset();
                var (loss, weight) = task.Loss(graph, batches[b], random);
                graph.Backward(loss);
                if (training.ClipNorm > 0)
                {
                    GradientClipping.ClipGlobalNorm(parameters, training.ClipNorm);
                }
                task.Optimizer.Step(training.LearningRateAt(state.Step, totalSteps));
                task.Optimizer.ZeroGrad();
                state = state with
                {
                    Batch = b + 1, Step = state.Step + 1, LossSum = state.LossSum + (loss.Data[0] * weight), LossWeight = state.LossWeight + weight,
                };
                stepsThisCall++;
                counter?.Advance();
                if (b + 1 == batches.Count)
                {
                    break;
                }
                if (Stopping(options, stepsThisCall))
                {
                    Save(task, last, state, Seconds(), random);
                    record = With(record, state) with { Status = RunStatus.Interrupted, WallSeconds = Seconds() };
                    record.Write(runDirectory);
                    return record;
                }
                if (training.CheckpointEverySteps > 0 && state.Step % training.CheckpointEverySteps == 0)
                {
                    Save(task, last, state, Seconds(), random);
                }
            }

            var trainLoss = state.LossWeight > 0 ? state.LossSum / state.LossWeight : double.NaN;
            state = state with { Epoch = epoch, Batch = 0, LossSum = 0, LossWeight = 0 };
            if (epoch % training.EvalEvery == 0 || epoch == training.Epochs)
            {
                state = Validate(task, training, state, trainLoss, best, Seconds, progress);
            }
            if (state.StopReason is null && epoch == training.Epochs)
            {
                state = state with { StopReason = StopReason.Epochs };
            }
            Save(task, last, state, Seconds(), null);
            record = With(record, state) with { WallSeconds = Seconds() };
            record.Write(runDirectory);
            if (state.StopReason is null && Stopping(options, stepsThisCall))
            {
                record = record with { Status = RunStatus.Interrupted };
                record.Write(runDirectory);
                return record;
            }
        }

        if (!File.Exists(best))
        {
            throw new InvalidOperationException(
                $"{runDirectory}: no validation improved on {selection.Name} = {selection.Worst} (was it NaN?), so there is no best model to test");
        }
        ModelCheckpoint.LoadWeights(best, task.Model, k => k == task.CheckpointKind, $"'{task.CheckpointKind}'");
        task.Model.Eval();
        var test = task.Test(progress);
        record = With(record, state) with { Status = RunStatus.Finished, StopReason = state.StopReason, Test = test, WallSeconds = Seconds() };
        record.Write(runDirectory, task.TestReport());
        return record;
    }

    /// <summary>One line for a validated epoch: its training loss and the selection metric.</summary>
    public static string Describe(EpochRecord epoch, SelectionMetric selection) =>
        $"epoch {epoch.Epoch}: loss {(epoch.TrainLoss is { } l ? l.ToString("F4", CultureInfo.InvariantCulture) : "-")}, " +
        $"valid {selection.Name} {epoch.Validation[selection.Name].ToString("F4", CultureInfo.InvariantCulture)}, " +
        $"{epoch.Seconds.ToString("F1", CultureInfo.InvariantCulture)} s";

    /// <summary>The loop's state saved in a checkpoint of a run.</summary>
    public static TrainingState ReadState(string checkpoint)
    {
        var json = ModelCheckpoint.ReadTrainingState(checkpoint)
            ?? throw new InvalidDataException($"{checkpoint}: holds no training state, so training cannot resume from it");
        try
        {
            return JsonSerializer.Deserialize<TrainingState>(json, RunJson.Options)
                ?? throw new InvalidDataException($"{checkpoint}: its training state is null");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{checkpoint}: its training state does not read ({ex.Message.Split(" Path:")[0]}); was it written by this version of the training loop?", ex);
        }
    }

    private static TrainingState Validate<TBatch>(
        ITrainingTask<TBatch> task, TrainingConfig training, TrainingState state, double trainLoss, string best, Func<double> seconds, IProgressReporter? progress)
    {
        var selection = task.Selection;
        var validation = task.Validate(progress);
        if (!validation.TryGetValue(selection.Name, out var value))
        {
            throw new InvalidOperationException($"validation gave no '{selection.Name}' (it gave {string.Join(", ", validation.Keys)})");
        }
        var epochRecord = new EpochRecord(state.Epoch, double.IsNaN(trainLoss) ? null : trainLoss, validation, seconds());
        progress?.Line(Describe(epochRecord, selection));
        var improved = selection.Improves(value, state.BestValue);
        state = state with
        {
            Epochs = [.. state.Epochs, epochRecord],
            StaleValidations = improved ? 0 : state.StaleValidations + 1,
        };
        if (improved)
        {
            state = state with { BestEpoch = state.Epoch, BestValue = value, BestValidation = validation, SecondsToBestEpoch = epochRecord.Seconds };
            task.Save(best, new TrainingSnapshot(state.Step, JsonSerializer.Serialize(state, RunJson.Options)));
        }
        if (state.StaleValidations >= training.Patience)
        {
            return state with { StopReason = StopReason.Patience };
        }
        return training.MaxMinutes > 0 && epochRecord.Seconds >= training.MaxMinutes * 60 ? state with { StopReason = StopReason.TimeBudget } : state;
    }

    private static bool Stopping(LoopOptions options, int stepsThisCall) => options.StopAfterSteps is { } stop && stepsThisCall >= stop;

    private static void Save<TBatch>(ITrainingTask<TBatch> task, string path, TrainingState state, double seconds, SeededRandom? random)
    {
        var saved = state with { Seconds = seconds };
        task.Save(path, new TrainingSnapshot(saved.Step, JsonSerializer.Serialize(saved, RunJson.Options), task.Optimizer, random));
    }

    private static RunRecord<TConfig> With<TConfig>(RunRecord<TConfig> record, TrainingState state) => record with
    {
        Epochs = state.Epochs,
        BestEpoch = state.BestEpoch,
        BestValidation = state.BestValidation,
        SecondsToBestEpoch = state.SecondsToBestEpoch,
        WallSeconds = state.Seconds,
    };

    /// <summary>Deletes the run in <paramref name="runDirectory"/>, the whole directory, so that a new run starts there; a directory holding no run is left as it is.</summary>
    public static void Discard(string runDirectory)
    {
        if (File.Exists(Path.Combine(runDirectory, LastFile)) || File.Exists(Path.Combine(runDirectory, RunFiles.Record)))
        {
            Directory.Delete(runDirectory, recursive: true);
        }
    }

    /// <summary>
    /// Refuses to start a run in a directory that holds one unless resuming, and to resume one of another task,
    /// config or data; called by the loop, and by a task before it writes files of its own into the directory.
    /// </summary>
    /// <returns>The run's record when resuming, null when starting afresh.</returns>
    public static RunRecord<TConfig>? CheckStart<TConfig>(RunRecord<TConfig> start, string runDirectory, bool resume)
    {
        if (!resume)
        {
            if (File.Exists(Path.Combine(runDirectory, LastFile)) || RunRecord<TConfig>.Exists(runDirectory))
            {
                throw new ArgumentException($"{runDirectory}: already holds a run; resume it (--resume), replace it (--force) or choose another run directory");
            }
            return null;
        }
        if (!RunRecord<TConfig>.Exists(runDirectory))
        {
            throw new ArgumentException($"{runDirectory}: there is no run to resume (no {RunRecord<TConfig>.FileName})");
        }
        var existing = RunRecord<TConfig>.Read(runDirectory);
        if (existing.Task != start.Task)
        {
            throw new ArgumentException($"{runDirectory}: holds a {existing.Task} run, not {start.Task}");
        }
        if (!RunJson.SameConfig(existing.Config, start.Config))
        {
            throw new ArgumentException($"{runDirectory}: resuming needs the run's own config ({RunRecord<TConfig>.FileName}); pass no --config or the same one");
        }
        if (!RunJson.SameConfig(existing.Data, start.Data))
        {
            throw new ArgumentException($"{runDirectory}: the run was trained on other data ({string.Join(", ", existing.Data.Inputs.Select(i => $"{i.Path} sha256 {i.Sha256}"))})");
        }
        return existing;
    }
}
