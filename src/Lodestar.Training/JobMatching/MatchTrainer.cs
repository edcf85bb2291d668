// Trains one job-matching model (policy teacher, click teacher or distilled student) with the one training
// loop: writes the run's feature spec beside the model, fetches the teachers' cached logits for a student,
// and names the run's inputs (the world's content hash, each teacher's version) in its run record.
using Lodestar.Core.Progress;
using Lodestar.Features.JobMatching;
using Lodestar.Models.JobMatching;
using Lodestar.Tensors;
using Lodestar.Training.Loop;

namespace Lodestar.Training.JobMatching;

public sealed class MatchTrainer(MatchRole role, MatchTrainingConfig config, MatchDataSet data)
{
    public MatchTrainingConfig Config { get; } = config.Validate();

    public string RunDirectory => Config.RunDirectory(role);

    /// <summary>First day whose views' apply labels the student trains on (Distillation.ApplyLabelDays back from the data's last day).</summary>
    public int ApplyLabelsFromDay { get; } = config.Distillation.ApplyLabelDays == 0 || data.Examples.Count == 0
        ? int.MinValue
        : data.Examples.Max(e => e.Day) - config.Distillation.ApplyLabelDays + 1;

    /// <summary>Trains (or, with options.Resume, continues) the run and returns its record.</summary>
    public RunRecord<MatchTrainingConfig> Train(LoopOptions? options = null)
    {
        options ??= new LoopOptions();
        var train = Select(MatchSplit.Train);
        var validation = Select(MatchSplit.Validation);
        if (train.Count == 0 || validation.Count == 0)
        {
            throw new InvalidOperationException($"{MatchModel.RoleName(role)}: {train.Count} training and {validation.Count} validation examples with labels; generate a larger world");
        }
        var (policyLogits, policyInput) = Teacher(Config.PolicyTeacherRun, MatchRole.PolicyTeacher, Config.Distillation.PolicyTeacherWeight);
        var (clickLogits, clickInput) = Teacher(Config.ClickTeacherRun, MatchRole.ClickTeacher, Config.Distillation.ClickTeacherWeight);
        var start = new RunRecord<MatchTrainingConfig>
        {
            Task = "job-matching." + MatchModel.RoleName(role),
            Status = RunStatus.Running,
            Config = Config,
            Selection = new SelectionMetric(MatchTask.LossMetric, HigherIsBetter: false),
            Data = new RunData(
                [new RunInput("world", data.WorldDirectory, data.ContentHash), .. new[] { policyInput, clickInput }.OfType<RunInput>()],
                new Dictionary<string, long>
                {
                    ["train_examples"] = train.Count, ["validation_examples"] = validation.Count, ["test_examples"] = Select(MatchSplit.Test).Count,
                }),
        };
        TrainingLoop.CheckStart(start, RunDirectory, options.Resume);
        Directory.CreateDirectory(RunDirectory);
        MatchFeatureSpec.Write(RunDirectory, data.WorldDirectory, data.Config,
            data.Tokenizer ?? throw new InvalidOperationException("the data set carries no tokenizer to write beside the model"), Config.Policy);

        var model = new MatchModel(role, Config.Model, data.VocabSize, data.Layout);
        if (Config.InitFrom is { } init)
        {
            // A run that starts from a pruned model keeps the record of what was removed on the way to it.
            model.Pruning = MatchModel.ReadSpec(Path.Combine(init, MatchModel.BestFile)).Pruning ?? [];
            if (!File.Exists(Path.Combine(RunDirectory, TrainingLoop.LastFile)))
            {
                model.LoadWeights(Path.Combine(init, MatchModel.BestFile));
            }
        }
        var task = new MatchTask(role, Config, data, model, Select, Teachers(policyLogits, clickLogits), ApplyLabelsFromDay);
        return TrainingLoop.Run(task, Config.Training, start, RunDirectory, options);
    }

    /// <summary>
    /// The loss this run minimises, as a function of a batch's logits (the teachers' cached logits fetched once for a
    /// student): what a pruning step ranks the units of a model to be distilled this way by.
    /// </summary>
    public Func<Graph, Tensor, IReadOnlyList<MatchExample>, Tensor> BatchLoss()
    {
        var (policyLogits, _) = Teacher(Config.PolicyTeacherRun, MatchRole.PolicyTeacher, Config.Distillation.PolicyTeacherWeight);
        var (clickLogits, _) = Teacher(Config.ClickTeacherRun, MatchRole.ClickTeacher, Config.Distillation.ClickTeacherWeight);
        var teachers = Teachers(policyLogits, clickLogits);
        return (graph, logits, batch) => MatchTask.Loss(role, Config, data.Layout, teachers, ApplyLabelsFromDay, graph, logits, batch);
    }

    private TeacherLogits Teachers(float[]? policyLogits, float[]? clickLogits) =>
        new(policyLogits, clickLogits, data.Examples.Select((e, i) => (e, i)).ToDictionary(p => (p.e.MemberId, p.e.JobId), p => p.i));

    /// <summary>Trains the run, or continues it when its directory already holds it (an experiment rerun after a kill).</summary>
    public RunRecord<MatchTrainingConfig> TrainOrContinue(IProgressReporter? progress = null) =>
        Train(new LoopOptions(Resume: RunRecord<MatchTrainingConfig>.Exists(RunDirectory), Progress: progress));

    /// <summary>Examples of a split that this role learns from.</summary>
    public List<MatchExample> Select(MatchSplit split) => data.In(split).Where(e => role switch
    {
        MatchRole.PolicyTeacher => e.PolicyLevels is not null,
        MatchRole.ClickTeacher => e.Applied >= 0,
        _ => true,
    }).ToList();

    private (float[]? Logits, RunInput? Input) Teacher(string? run, MatchRole teacherRole, float weight)
    {
        if (role != MatchRole.Student || run is null || weight == 0f)
        {
            return (null, null);
        }
        var (logits, key) = TeacherCache.Get(run, teacherRole, data, Path.Combine(Config.RunsDirectory, "teacher-cache"));
        return (logits, new RunInput(MatchModel.RoleName(teacherRole), run, key));
    }
}
