// Trains a feed ranker end to end: the world's feed log becomes training windows and held-out member-days split by
// day, and the one training loop fits the ranker, writing the common run directory.
using Lodestar.Data.GroundTruth;
using Lodestar.Data.Schema;
using Lodestar.Evaluation.FeedRanking;
using Lodestar.Features.FeedRanking;
using Lodestar.Features.Retrieval;
using Lodestar.Models.FeedRanking;
using Lodestar.Training.Loop;

namespace Lodestar.Training.FeedRanking;

public static class FeedRankingRun
{
    /// <summary>Trains (or, with options.Resume, continues) a run of <paramref name="config"/> into <paramref name="runDirectory"/>.</summary>
    public static RunRecord<FeedRankingConfig> Train(FeedRankingConfig config, string runDirectory, LoopOptions? options = null)
    {
        config.Validate();
        options ??= new LoopOptions();
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
        TrainingLoop.CheckStart(start, runDirectory, options.Resume);
        Directory.CreateDirectory(runDirectory);
        var model = new FeedRankerModel(config.Model, (ulong)config.Seed);
        return TrainingLoop.Run(new FeedRankingTask(config, model, examples, log, Truth(config.World, examples)), config.Training, start, runDirectory, options);
    }

    /// <summary>The true action probabilities of the test impressions, when the world has them (generated worlds do, imported data does not).</summary>
    private static Dictionary<long, float[]>? Truth(string world, FeedRankingExamples examples) =>
        File.Exists(TruthPath(world)) ? FeedReferences.LoadTruth(TruthPath(world), examples.Test.SelectMany(d => d.ImpressionIds).ToHashSet()) : null;

    private static string TruthPath(string world) => Path.Combine(world, DataFiles.GroundTruthDirectory, TruthFiles.ImpressionProbabilities);
}
