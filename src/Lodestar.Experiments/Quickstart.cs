// The quickstart on a fresh clone: generates a small world, labels pairs with the default policy, trains
// both teachers and the distilled student (or continues them), evaluates them with speed, and writes the
// HTML report with a JSON beside it; optionally the multi-teacher experiment into the same report. Then the feed's
// two models, the shared retrieval encoder and the feed ranker, are trained into models/ (each run with its own
// report) beside the student, the directory `lodestar serve --models` reads.
using Lodestar.Bench.JobMatching;
using Lodestar.Core;
using Lodestar.Core.Progress;
using Lodestar.Data.Generation;
using Lodestar.Experiments.JobMatching;
using Lodestar.Features.JobMatching;
using Lodestar.Models.JobMatching;
using Lodestar.Training.FeedRanking;
using Lodestar.Training.JobMatching;
using Lodestar.Training.Retrieval;
using Lodestar.Training.Loop;

namespace Lodestar.Experiments;

/// <param name="Directory">Where the world, the runs and the report go.</param>
/// <param name="Experiment">Also run the multi-teacher experiment (four more students) into the report.</param>
public sealed record QuickstartOptions(string Directory, int Members = 6_000, int Epochs = 3, ulong Seed = 1, bool Experiment = false);

/// <summary>What the quickstart made: the job-matching report and evaluation, the experiment's table (when run), the
/// world, and the models directory with the feed's retrieval and ranking runs.</summary>
public sealed record QuickstartOutcome(string Report, MatchEvaluation Evaluation, ExperimentResult? Experiment, string World, string Models,
    RunRecord<RetrievalConfig> Retrieval, RunRecord<FeedRankingConfig> Ranker);

public static class Quickstart
{
    /// <summary>Speed rounds inside the quickstart: each times the policy teacher at batch 64 too (≈ 30 s a round), so fewer
    /// than `match eval`'s default 5 keep the quickstart within its 10 minutes; `match eval --rounds N` re-measures.</summary>
    public const int SpeedRounds = 3;

    /// <summary>The folder of the quickstart's directory holding the served models (retrieval/, feed-ranker/ and job-student/).</summary>
    public const string ModelsFolder = "models";

    /// <summary>Runs the quickstart; a finished run of the same config is reused, so a second call only evaluates.</summary>
    public static QuickstartOutcome Run(QuickstartOptions options, Action<string> log, IProgressReporter? progress = null)
    {
        var (directory, members, epochs, seed, experiment) = options;
        var world = Path.Combine(directory, "world");
        ExperimentWorld.EnsureGenerated(world, new WorldConfig { Members = members, Days = 30, Seed = seed }, log);
        var teacher = new MatchTrainingConfig
        {
            World = world, RunsDirectory = Path.Combine(directory, "runs"), Model = MatchModelConfig.Teacher with { Seed = seed },
            Training = MatchTrainingConfig.DefaultTraining with { Epochs = epochs, Patience = epochs, LearningRate = 1e-3f },
        };
        var click = teacher with { Model = MatchModelConfig.ClickTeacher with { Seed = seed } };
        log("tokenizing the world and labeling pairs with the default policy");
        var data = MatchPipeline.Prepare(teacher);
        log(new MatchTrainer(MatchRole.PolicyTeacher, teacher, data).TrainOrContinue(progress).Describe());
        log(new MatchTrainer(MatchRole.ClickTeacher, click, data).TrainOrContinue(progress).Describe());
        var models = Path.Combine(directory, ModelsFolder);
        // The student is trained where the server reads it, models/job-student/, beside the feed's models.
        var student = teacher with
        {
            RunName = Path.GetRelativePath(teacher.RunsDirectory, Path.Combine(models, ModelFolders.JobStudent)),
            Model = MatchModelConfig.Student with { Seed = seed },
            Training = teacher.Training with { LearningRate = 2e-3f },
            PolicyTeacherRun = teacher.RunDirectory(MatchRole.PolicyTeacher),
            ClickTeacherRun = click.RunDirectory(MatchRole.ClickTeacher),
        };
        log(new MatchTrainer(MatchRole.Student, student, data).TrainOrContinue(progress).Describe());
        log("evaluating");
        var evaluation = MatchSpeedProtocol.AddSpeed(MatchEvaluator.Evaluate(data, [
            (MatchRole.PolicyTeacher, teacher.RunDirectory(MatchRole.PolicyTeacher)),
            (MatchRole.ClickTeacher, click.RunDirectory(MatchRole.ClickTeacher)),
            (MatchRole.Student, student.RunDirectory(MatchRole.Student)),
        ]), data, SpeedRounds, log);
        var rows = experiment ? MultiTeacherExperiment.Run(student, data, [(int)seed], MultiTeacherExperiment.AllVariants, MatchSplit.Test, log) : null;
        var report = MatchReportWriter.Write(directory, evaluation, rows);

        log("training the feed retrieval encoder (members and posts as prompts, InfoNCE)");
        var retrievalRun = Path.Combine(models, ModelFolders.Retrieval);
        var retrieval = RetrievalRun.Train(new RetrievalConfig { World = world, Seed = (int)seed, Training = RetrievalConfig.DefaultTraining with { Epochs = epochs } },
            retrievalRun, new LoopOptions(Resume: RunRecord<RetrievalConfig>.Exists(retrievalRun), Progress: progress));
        log(retrieval.Describe());
        log("training the feed ranker (post and action sequences, six actions)");
        var rankerRun = Path.Combine(models, ModelFolders.FeedRanker);
        var ranker = FeedRankingRun.Train(new FeedRankingConfig { World = world, Seed = (int)seed, Training = FeedRankingConfig.DefaultTraining with { Epochs = epochs } },
            rankerRun, new LoopOptions(Resume: RunRecord<FeedRankingConfig>.Exists(rankerRun), Progress: progress));
        log(ranker.Describe());
        return new QuickstartOutcome(report, evaluation, rows, world, models, retrieval, ranker);
    }
}
