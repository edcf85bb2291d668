// Trains one match model: batches in a seeded per-epoch order, AdamW with warmup + cosine, gradient
// clipping, validation loss each epoch with early stopping, checkpoints (safetensors) that resume bit for
// bit after a kill, and a run record with the resolved config, data provenance and per-epoch metrics.
using System.Diagnostics;
using System.Text.Json;
using Lodestar.Core.Progress;
using Lodestar.Core;
using Lodestar.Data.Storage;
using Lodestar.Models.JobMatching;
using Lodestar.Nn;
using Lodestar.Nn.Optim;
using Lodestar.Tensors;
using Lodestar.Features.JobMatching;

namespace Lodestar.Training.JobMatching;

public sealed record MatchEpoch(int Epoch, double TrainLoss, double ValidationLoss, double Seconds);

/// <summary>What a checkpoint carries besides tensors: progress of the run so far.</summary>
public sealed record MatchProgress(long Step, IReadOnlyList<MatchEpoch> Epochs, double BestValidationLoss, int BestEpoch, int EpochsWithoutImprovement, double Seconds, List<double> EpochLosses);

public sealed record MatchRunRecord(
    string Role,
    string Status,
    MatchTrainingConfig Config,
    string DataHash,
    string WorldDirectory,
    int TrainExamples,
    int ValidationExamples,
    long Parameters,
    IReadOnlyList<MatchEpoch> Epochs,
    int BestEpoch,
    double BestValidationLoss,
    double WallSeconds,
    string? PolicyTeacherKey,
    string? ClickTeacherKey)
{
    public const string FileName = "run.json";

    public void Write(string runDirectory) =>
        AtomicFile.WriteAllBytes(Path.Combine(runDirectory, FileName), JsonSerializer.SerializeToUtf8Bytes(this, MatchTrainingConfig.Json));

    public static MatchRunRecord Read(string runDirectory)
    {
        var path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no run record (train the run first)", path);
        }
        return JsonSerializer.Deserialize<MatchRunRecord>(File.ReadAllText(path), MatchTrainingConfig.Json)
            ?? throw new InvalidDataException($"{path}: run record is null");
    }
}

public sealed class MatchTrainer(MatchRole role, MatchTrainingConfig config, MatchDataSet data)
{
    public const string LastCheckpointFile = "last.safetensors";

    public MatchTrainingConfig Config { get; } = config.Validate();

    public string RunDirectory => Config.RunDirectory(role);

    /// <summary>First day whose views' apply labels the student trains on (Distillation.ApplyLabelDays back from the data's last day).</summary>
    public int ApplyLabelsFromDay { get; } = config.Distillation.ApplyLabelDays == 0 || data.Examples.Count == 0
        ? int.MinValue
        : data.Examples.Max(e => e.Day) - config.Distillation.ApplyLabelDays + 1;

    public MatchRunRecord Train(IProgressReporter? progress = null)
    {
        Directory.CreateDirectory(RunDirectory);
        var configPath = Path.Combine(RunDirectory, MatchInference.ConfigFile);
        var configBytes = JsonSerializer.SerializeToUtf8Bytes(Config, MatchTrainingConfig.Json);
        if (File.Exists(Path.Combine(RunDirectory, LastCheckpointFile)) && File.Exists(configPath) && !File.ReadAllBytes(configPath).AsSpan().SequenceEqual(configBytes))
        {
            throw new InvalidOperationException($"{RunDirectory} holds a run with a different config ({configPath}); resume it with that config or give a new run_name");
        }
        AtomicFile.WriteAllBytes(configPath, configBytes);
        MatchFeatureSpec.Write(RunDirectory, data.WorldDirectory, data.Config,
            data.Tokenizer ?? throw new InvalidOperationException("the data set carries no tokenizer to write beside the model"));
        var train = Select(MatchSplit.Train);
        var validation = Select(MatchSplit.Validation);
        if (train.Count == 0 || validation.Count == 0)
        {
            throw new InvalidOperationException($"{MatchModel.RoleName(role)}: {train.Count} training and {validation.Count} validation examples with labels; generate a larger world");
        }
        var (policyTeacher, policyKey) = Teacher(Config.PolicyTeacherRun, MatchRole.PolicyTeacher, Config.Distillation.PolicyTeacherWeight);
        var (clickTeacher, clickKey) = Teacher(Config.ClickTeacherRun, MatchRole.ClickTeacher, Config.Distillation.ClickTeacherWeight);
        var index = data.Examples.Select((e, i) => (e, i)).ToDictionary(p => (p.e.MemberId, p.e.JobId), p => p.i);

        var model = new MatchModel(role, Config.Model, data.VocabSize, data.Layout);
        var optimizer = new AdamW(model.Parameters(), new AdamWConfig { LearningRate = Config.LearningRate });
        var stepsPerEpoch = (train.Count + Config.BatchSize - 1) / Config.BatchSize;
        var totalSteps = (long)stepsPerEpoch * Config.Epochs;
        var schedule = new WarmupCosineSchedule
        {
            PeakLearningRate = Config.LearningRate,
            MinLearningRate = Config.LearningRate / 10,
            WarmupSteps = (int)Math.Min(Config.WarmupSteps, totalSteps - 1),
            TotalSteps = (int)totalSteps,
        }.Validate();
        var state = new MatchProgress(0, [], double.MaxValue, -1, 0, 0, []);
        var last = Path.Combine(RunDirectory, LastCheckpointFile);
        if (!File.Exists(last) && Config.InitFrom is { } init)
        {
            model.LoadWeights(Path.Combine(init, MatchModel.BestFile));
        }
        if (File.Exists(last))
        {
            var info = ModelCheckpoint.LoadTraining(last, model, optimizer, null, model.CheckpointKind);
            state = JsonSerializer.Deserialize<MatchProgress>(info.StateJson)
                ?? throw new InvalidDataException($"{last}: checkpoint progress is null");
        }
        progress?.Start($"training {MatchModel.RoleName(role)}", totalSteps);
        var clock = Stopwatch.StartNew();
        var graph = new Graph();
        var parameters = model.Parameters();
        var stepsThisRun = 0;
        var status = "completed";
        var epochs = state.Epochs.ToList();
        while (state.Step < totalSteps && state.EpochsWithoutImprovement < Config.Patience)
        {
            var epoch = (int)(state.Step / stepsPerEpoch);
            var offset = (int)(state.Step % stepsPerEpoch);
            var order = Order(train.Count, epoch);
            var batch = order.Skip(offset * Config.BatchSize).Take(Config.BatchSize).Select(i => train[i]).ToList();
            model.Train();
            graph.Reset();
            var (tokens, keep, length) = MatchScorer.Pack(batch, 0, batch.Count, Config.Model.MaxTokens);
            var logits = model.Forward(graph, tokens, batch.Count, length, keep);
            var loss = Loss(graph, logits, batch, policyTeacher, clickTeacher, index);
            model.ZeroGrad();
            graph.Backward(loss);
            GradientClipping.ClipGlobalNorm(parameters, Config.ClipNorm);
            optimizer.Step(schedule.LearningRate((int)state.Step));
            state.EpochLosses.Add(loss.Data[0]);
            state = state with { Step = state.Step + 1 };
            stepsThisRun++;
            progress?.Report(state.Step, $"loss {loss.Data[0]:F4}");
            if (state.Step % stepsPerEpoch == 0)
            {
                var validationLoss = Evaluate(model, validation, policyTeacher, clickTeacher, index);
                var seconds = state.Seconds + clock.Elapsed.TotalSeconds;
                epochs.Add(new MatchEpoch(epoch + 1, state.EpochLosses.Average(), validationLoss, seconds));
                var improved = validationLoss < state.BestValidationLoss;
                if (improved)
                {
                    model.Save(Path.Combine(RunDirectory, MatchModel.BestFile));
                }
                state = state with
                {
                    Epochs = epochs.ToList(),
                    BestValidationLoss = improved ? validationLoss : state.BestValidationLoss,
                    BestEpoch = improved ? epoch + 1 : state.BestEpoch,
                    EpochsWithoutImprovement = improved ? 0 : state.EpochsWithoutImprovement + 1,
                    EpochLosses = [],
                };
                Save(last, model, optimizer, state, clock);
            }
            else if (state.Step % Config.CheckpointEverySteps == 0)
            {
                Save(last, model, optimizer, state, clock);
            }
            if (Config.StopAfterSteps is { } stop && stepsThisRun >= stop && state.Step < totalSteps)
            {
                Save(last, model, optimizer, state, clock);
                status = "interrupted";
                break;
            }
        }
        if (status == "completed" && state.EpochsWithoutImprovement >= Config.Patience)
        {
            status = "early_stopped";
        }
        var record = new MatchRunRecord(MatchModel.RoleName(role), status, Config, data.ContentHash, data.WorldDirectory, train.Count, validation.Count,
            model.ParameterCount, epochs, state.BestEpoch, state.BestValidationLoss, state.Seconds + clock.Elapsed.TotalSeconds, policyKey, clickKey);
        record.Write(RunDirectory);
        return record;
    }

    /// <summary>Examples of a split that this role learns from.</summary>
    public List<MatchExample> Select(MatchSplit split) => data.In(split).Where(e => role switch
    {
        MatchRole.PolicyTeacher => e.PolicyLevels is not null,
        MatchRole.ClickTeacher => e.Applied >= 0,
        _ => true,
    }).ToList();

    private (float[]? Logits, string? Key) Teacher(string? run, MatchRole teacherRole, float weight)
    {
        if (role != MatchRole.Student || run is null || weight == 0f)
        {
            return (null, null);
        }
        return (TeacherCache.Get(run, teacherRole, data, Path.Combine(Config.RunsDirectory, "teacher-cache")), TeacherCache.Key(run, data));
    }

    private Tensor Loss(Graph graph, Tensor logits, List<MatchExample> batch, float[]? policy, float[]? click, Dictionary<(long, long), int> index)
    {
        var layout = data.Layout;
        return role switch
        {
            MatchRole.PolicyTeacher => MatchLoss.PolicyHard(graph, logits, layout, batch)!,
            MatchRole.ClickTeacher => MatchLoss.ApplyHard(graph, logits, layout, batch)!,
            _ => MatchLoss.Student(graph, logits, layout, batch, new TeacherBatch(Rows(policy, batch, index), Rows(click, batch, index)), Config.Distillation, ApplyLabelsFromDay),
        };
    }

    private float[]? Rows(float[]? logits, List<MatchExample> batch, Dictionary<(long, long), int> index)
    {
        if (logits is null)
        {
            return null;
        }
        var width = data.Layout.Width;
        var rows = new float[batch.Count * width];
        for (var i = 0; i < batch.Count; i++)
        {
            logits.AsSpan(index[(batch[i].MemberId, batch[i].JobId)] * width, width).CopyTo(rows.AsSpan(i * width));
        }
        return rows;
    }

    private double Evaluate(MatchModel model, List<MatchExample> validation, float[]? policy, float[]? click, Dictionary<(long, long), int> index)
    {
        model.Eval();
        var graph = new Graph(recordGradients: false);
        double total = 0;
        for (var start = 0; start < validation.Count; start += Config.BatchSize)
        {
            var batch = validation.Skip(start).Take(Config.BatchSize).ToList();
            graph.Reset();
            var (tokens, keep, length) = MatchScorer.Pack(batch, 0, batch.Count, Config.Model.MaxTokens);
            total += Loss(graph, model.Forward(graph, tokens, batch.Count, length, keep), batch, policy, click, index).Data[0] * batch.Count;
        }
        return total / validation.Count;
    }

    private int[] Order(int count, int epoch)
    {
        var random = new SeededRandom(Config.ShuffleSeed + (ulong)epoch);
        var order = Enumerable.Range(0, count).ToArray();
        for (var i = count - 1; i > 0; i--)
        {
            var j = (int)(random.NextUInt64() % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private static void Save(string path, MatchModel model, AdamW optimizer, MatchProgress state, Stopwatch clock) =>
        model.Save(path, new TrainingSnapshot(state.Step, JsonSerializer.Serialize(state with { Seconds = state.Seconds + clock.Elapsed.TotalSeconds }), optimizer));
}
