// A feed-ranking experiment on a small world: each variant and seed is its own run with its own settings, the
// summary is every test figure's mean over the seeds (the oracle's beside the model's), and a rerun reuses the
// finished runs.
using Lodestar.Evaluation;
using Lodestar.Evaluation.FeedRanking;
using Lodestar.Experiments.FeedRanking;
using Lodestar.Features.Retrieval;
using Lodestar.Models.FeedRanking;
using Lodestar.Training.FeedRanking;
using Lodestar.Training.Loop;

namespace Lodestar.Experiments.Tests;

public sealed class FeedRankingExperimentTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-feed-exp-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void EveryVariantAndSeedIsARunAndTheSummaryIsTheirMean()
    {
        var small = new FeedRankingConfig
        {
            Data = new RetrievalDataConfig { ValidationDays = 2, TestDays = 2 },
            Model = new FeedRankerConfig { MaxHistory = 20, Channels = 16, Heads = 2, FeedForward = 32, Layers = 1, Experts = 2, ExpertWidth = 8 },
            EvaluationDays = 60,
            Training = FeedRankingConfig.DefaultTraining with { Epochs = 1, BatchSize = 32 },
        };
        var config = new FeedRankingExperimentConfig
        {
            World = Path.Combine(_directory, "world"),
            Out = Path.Combine(_directory, "out"),
            WorldMembers = 300,
            WorldDays = 10,
            Seeds = [1, 2],
            Variants = new() { ["sequential"] = small, ["pointwise"] = small with { Model = small.Model with { Sequential = false } } },
        };
        var result = FeedRankingExperiment.Run(config);
        Assert.Equal(["pointwise", "sequential"], result.Variants.Keys.Order());
        var oracle = MetricNames.Of(FeedRankingMetrics.MeanAuc, FeedReferences.Oracle);
        foreach (var (name, figures) in result.Variants)
        {
            var runs = config.Seeds.Select(s => RunRecord<FeedRankingConfig>.Read(VariantExperiment.RunDirectory(config, name, s))).ToList();
            Assert.All(runs, r => Assert.Equal(RunStatus.Finished, r.Status));
            Assert.Equal(name == "sequential", runs[0].Config.Model.Sequential);
            Assert.Equal([1, 2], runs.Select(r => r.Config.Seed));
            Assert.Equal(runs.Select(r => r.Test![MetricNames.Auc("click")]).Average(), figures[MetricNames.Auc("click")].Mean, 12);
            // The oracle reads the same test impressions whatever the model: its figure is the same in every run.
            Assert.Equal(0, figures[oracle].Max - figures[oracle].Min, 12);
        }
        var before = File.GetLastWriteTimeUtc(Path.Combine(VariantExperiment.RunDirectory(config, "pointwise", 2), TrainingLoop.LastFile));
        var again = FeedRankingExperiment.Run(config);
        Assert.Equal(result.Variants["pointwise"][FeedRankingMetrics.MeanAuc], again.Variants["pointwise"][FeedRankingMetrics.MeanAuc]);
        Assert.Equal(before, File.GetLastWriteTimeUtc(Path.Combine(VariantExperiment.RunDirectory(config, "pointwise", 2), TrainingLoop.LastFile)));
    }
}
