// A feed-ranking claim as one command (`lodestar feed experiment --config configs/feed/*.json`): named variants of the
// ranker's config (sequential or pointwise, late fusion on or off, action tokens, MMoE or one tower) trained on one
// world under several seeds, and every test figure's mean ± spread per variant.
using Lodestar.Core;
using Lodestar.Core.Progress;
using Lodestar.Evaluation;
using Lodestar.Evaluation.FeedRanking;
using Lodestar.Models.FeedRanking;
using Lodestar.Training.FeedRanking;
using Lodestar.Training.Loop;

namespace Lodestar.Experiments.FeedRanking;

public sealed record FeedRankingExperimentConfig : VariantExperimentConfig<FeedRankingConfig>
{
    public override string World { get; init; } = "runs/feed-experiment/world";

    public override string Out { get; init; } = "runs/feed-experiment";

    public FeedRankingExperimentConfig Validate()
    {
        ValidateExperiment(variant => variant.Validate());
        return this;
    }

    public static FeedRankingExperimentConfig Load(string path) => RunJson.ReadConfig<FeedRankingExperimentConfig>(path, c => c.Validate());
}

public static class FeedRankingExperiment
{
    /// <summary>The figures a feed-ranking claim is judged on: each action's AUC, their mean overall, for short histories and the oracle's.</summary>
    public static readonly IReadOnlyList<string> Headline =
    [
        .. FeedTasks.Names.Select(MetricNames.Auc), FeedRankingMetrics.MeanAuc, MetricNames.Of(FeedRankingMetrics.MeanAuc, "history-1-5"),
        MetricNames.Of(FeedRankingMetrics.MeanAuc, FeedReferences.Oracle),
    ];

    public static ExperimentSummary Run(FeedRankingExperimentConfig config, Action<string>? log = null, IProgressReporter? progress = null) =>
        VariantExperiment.Run(config.Validate(), (variant, world, seed) => variant with { World = world, Seed = seed },
            (seeded, run, options) => FeedRankingRun.Train(seeded, run, options), Headline, log, progress);
}
