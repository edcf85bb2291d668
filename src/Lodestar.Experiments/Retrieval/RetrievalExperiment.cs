// A feed-retrieval claim as one command: named variants of the dual-encoder config (percentile vs raw counts,
// H hard negatives, ...) trained on one world under several seeds, and every test figure's mean ± spread per variant.
using Lodestar.Core;
using Lodestar.Core.Progress;
using Lodestar.Training.Loop;
using Lodestar.Training.Retrieval;

namespace Lodestar.Experiments.Retrieval;

public sealed record RetrievalExperimentConfig : VariantExperimentConfig<RetrievalConfig>
{
    public override string World { get; init; } = "runs/retrieval-experiment/world";

    public override string Out { get; init; } = "runs/retrieval-experiment";

    public RetrievalExperimentConfig Validate()
    {
        ValidateExperiment(variant => variant.Validate());
        return this;
    }

    public static RetrievalExperimentConfig Load(string path) => RunJson.ReadConfig<RetrievalExperimentConfig>(path, c => c.Validate());
}

public static class RetrievalExperiment
{
    /// <summary>The run directory of one variant and seed.</summary>
    public static string RunDirectory(RetrievalExperimentConfig config, string variant, int seed) => VariantExperiment.RunDirectory(config, variant, seed);

    /// <summary>The figures a retrieval claim is judged on, and the references beside them.</summary>
    public static readonly IReadOnlyList<string> Headline =
        ["recall@10", "recall@100", "ndcg@10", "recall@100/history-0", "recall@100/history-1-2", RetrievalTask.PopularitySimilarity, "recall@100/popularity", "recall@100/oracle", "recall@100/match"];

    public static ExperimentSummary Run(RetrievalExperimentConfig config, Action<string>? log = null, IProgressReporter? progress = null) =>
        VariantExperiment.Run(config.Validate(),
            (variant, world, seed) => variant with { World = world, Seed = seed, Model = variant.Model with { Seed = (ulong)seed } },
            (seeded, run, options) => RetrievalRun.Train(seeded, run, options), Headline, log, progress);
}
