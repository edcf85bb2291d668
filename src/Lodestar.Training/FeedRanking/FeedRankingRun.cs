// Trains a feed ranker end to end: the world's feed log becomes training windows and held-out member-days split by
// day, and the one training loop fits the ranker, writing the common run directory.
using Lodestar.Core.Progress;
using Lodestar.Data.GroundTruth;
using Lodestar.Data.Schema;
using Lodestar.Evaluation.FeedRanking;
using Lodestar.Features.FeedRanking;
using Lodestar.Features.Retrieval;
using Lodestar.Models.FeedRanking;
using Lodestar.Training.Loop;

namespace Lodestar.Training.FeedRanking;

/// <summary>A run's figures measured again: the world they were measured on, its counts, validation and test figures.</summary>
public sealed record FeedRankingEvaluation(string World, IReadOnlyDictionary<string, long> Counts, IReadOnlyDictionary<string, double> Validation, IReadOnlyDictionary<string, double> Test);

/// <summary>A finished run opened on a world: its config, best weights, the world's feed log and examples, and the test impressions' true probabilities (null for imported data).</summary>
public sealed record FinishedFeedRun(FeedRankingConfig Config, FeedRankerModel Model, FeedLog Log, FeedRankingExamples Examples, IReadOnlyDictionary<long, float[]>? Truth, IReadOnlyDictionary<string, long> Counts);

public static class FeedRankingRun
{
    /// <summary>Trains (or, with options.Resume, continues) a run of <paramref name="config"/> into <paramref name="runDirectory"/>.</summary>
    public static RunRecord<FeedRankingConfig> Train(FeedRankingConfig config, string runDirectory, LoopOptions? options = null)
    {
        config.Validate();
        options ??= new LoopOptions();
        var (log, examples, start) = Prepare(config);
        TrainingLoop.CheckStart(start, runDirectory, options.Resume);
        Directory.CreateDirectory(runDirectory);
        var model = new FeedRankerModel(config.Model, (ulong)config.Seed);
        return TrainingLoop.Run(new FeedRankingTask(config, model, examples, log, Truth(config.World, examples)), config.Training, start, runDirectory, options);
    }

    /// <summary>
    /// The validation and test figures of a finished run's best weights, measured again on its world as it is now (the
    /// files must be the ones it trained on) or, with <paramref name="world"/>, on another world split the same way.
    /// </summary>
    public static FeedRankingEvaluation Evaluate(string runDirectory, string? world = null, IProgressReporter? progress = null)
    {
        var run = Open(runDirectory, world);
        var task = new FeedRankingTask(run.Config, run.Model, run.Examples, run.Log, run.Truth);
        return new FeedRankingEvaluation(run.Config.World, run.Counts, task.Validate(progress), task.Test(progress));
    }

    /// <summary>
    /// A finished run's best weights with its world's feed log and examples, split as the run was; the world must be
    /// the files it trained on or, given <paramref name="world"/>, another world knowingly.
    /// </summary>
    public static FinishedFeedRun Open(string runDirectory, string? world = null)
    {
        RunJson.RequireTask(runDirectory, FeedRankerModel.Kind);
        var record = RunRecord<FeedRankingConfig>.Read(runDirectory);
        var checkpoint = Path.Combine(runDirectory, TrainingLoop.BestFile);
        if (record.Status != RunStatus.Finished || !File.Exists(checkpoint))
        {
            throw new ArgumentException($"{runDirectory}: the run is {record.Status}, with {(File.Exists(checkpoint) ? "" : "no ")}{TrainingLoop.BestFile}; finish it first (feed train --resume)");
        }
        var config = world is null ? record.Config : record.Config with { World = Path.GetFullPath(world) };
        var (log, examples, start) = Prepare(config);
        if (world is null && !RunJson.SameConfig(record.Data.Inputs, start.Data.Inputs))
        {
            var changed = start.Data.Inputs.Where(i => record.Data.Inputs.All(r => r.Sha256 != i.Sha256)).Select(i => i.Path);
            throw new ArgumentException($"{string.Join(", ", changed)}: changed since the run trained on it (its sha256 differs from {Path.Combine(runDirectory, RunRecord<FeedRankingConfig>.FileName)}); give --world to evaluate on other data knowingly");
        }
        return new FinishedFeedRun(config, FeedRankerModel.Load(checkpoint), log, examples, Truth(config.World, examples), start.Data.Counts);
    }

    /// <summary>The world's feed log, its examples and a run's start record (task, config, data inputs and counts).</summary>
    private static (FeedLog Log, FeedRankingExamples Examples, RunRecord<FeedRankingConfig> Start) Prepare(FeedRankingConfig config)
    {
        var log = FeedLog.Load(config.World);
        var examples = FeedRankingExamples.Build(log, config.Data, config.Model.MaxHistory, config.EvaluationDays);
        var start = new RunRecord<FeedRankingConfig>
        {
            Task = "feed.ranker",
            Status = RunStatus.Running,
            Config = config,
            Selection = new SelectionMetric(FeedRankingMetrics.MeanAuc, HigherIsBetter: true),
            Data = new RunData(
                [
                    RunInput.OfFile("posts", Path.Combine(config.World, DataFiles.Posts)),
                    RunInput.OfFile("feed-impressions", Path.Combine(config.World, DataFiles.FeedImpressions)),
                    .. File.Exists(TruthPath(config.World)) ? [RunInput.OfFile("oracle", TruthPath(config.World))] : Array.Empty<RunInput>(),
                ],
                new Dictionary<string, long>
                {
                    ["posts"] = log.Posts.Count,
                    ["impressions"] = log.Impressions,
                    ["train_sequences"] = examples.Train.Count,
                    ["train_targets"] = examples.Train.Sum(s => (long)(s.Events.Length - s.FirstTarget)),
                    ["validation_member_days"] = examples.Validation.Count,
                    ["test_member_days"] = examples.Test.Count,
                    ["validation_start_day"] = examples.Boundaries.ValidationStart,
                    ["test_start_day"] = examples.Boundaries.TestStart,
                }),
        };
        return (log, examples, start);
    }

    /// <summary>The true action probabilities of the test impressions, when the world has them (generated worlds do, imported data does not).</summary>
    private static Dictionary<long, float[]>? Truth(string world, FeedRankingExamples examples) =>
        File.Exists(TruthPath(world)) ? FeedReferences.LoadTruth(TruthPath(world), examples.Test.SelectMany(d => d.ImpressionIds).ToHashSet()) : null;

    private static string TruthPath(string world) => Path.Combine(world, DataFiles.GroundTruthDirectory, TruthFiles.ImpressionProbabilities);
}
