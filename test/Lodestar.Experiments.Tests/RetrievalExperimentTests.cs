// A retrieval experiment on a small world: each variant and seed is its own run directory, the summary is
// every test figure's spread over the seeds (the popularity–similarity correlation among them), the report compares
// the headline figures with the first variant's by the fixed rule, and a rerun reuses the finished runs.
using Lodestar.Experiments.Retrieval;
using Lodestar.Features.Retrieval;
using Lodestar.Models.Bert;
using Lodestar.Training.Loop;
using Lodestar.Training.Retrieval;

namespace Lodestar.Experiments.Tests;

public sealed class RetrievalExperimentTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-retrieval-exp-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task EveryVariantAndSeedIsARunAndTheSummaryIsTheirSpread()
    {
        var small = new RetrievalConfig
        {
            TokenizerVocab = 600,
            Data = new RetrievalDataConfig { ValidationDays = 2, TestDays = 2 },
            MemberTokens = 48,
            PostTokens = 40,
            EvaluationExamples = 60,
            Model = new BertConfig { Channels = 16, Heads = 2, FeedForward = 32, Layers = 1, MaxPositions = 48, Dropout = 0f },
            Training = RetrievalConfig.DefaultTraining with { Epochs = 1, BatchSize = 32 },
        };
        var config = new RetrievalExperimentConfig
        {
            World = Path.Combine(_directory, "world"),
            Out = Path.Combine(_directory, "out"),
            WorldMembers = 300,
            WorldDays = 10,
            Seeds = [1, 2],
            Variants = new() { ["percentile"] = small, ["raw"] = small with { Counts = CountFormat.Raw } },
        };
        var result = RetrievalExperiment.Run(config);
        Assert.Equal(["percentile", "raw"], result.Variants.Keys.Order());
        foreach (var (name, figures) in result.Variants)
        {
            var runs = config.Seeds.Select(s => RunRecord<RetrievalConfig>.Read(RetrievalExperiment.RunDirectory(config, name, s))).ToList();
            Assert.All(runs, r => Assert.Equal(RunStatus.Finished, r.Status));
            Assert.Equal(name == "raw" ? CountFormat.Raw : CountFormat.Percentile, runs[0].Config.Counts);
            var correlation = runs.Select(r => r.Test![RetrievalTask.PopularitySimilarity]).ToArray();
            Assert.All(correlation, c => Assert.InRange(c, -1.0, 1.0));
            Assert.Equal(correlation.Average(), figures[RetrievalTask.PopularitySimilarity].Mean, 12);
            Assert.Equal(runs.Select(r => r.Test!["recall@10"]).Average(), figures["recall@10"].Mean, 12);
        }
        Assert.True(File.Exists(Path.Combine(config.Out, ExperimentSummary.FileName)));
        var html = File.ReadAllText(Path.Combine(config.Out, ExperimentReport.FileName));
        Assert.Contains("Against percentile", html, StringComparison.Ordinal);
        using var numbers = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(config.Out, "report.json")));
        var comparisons = numbers.RootElement.GetProperty("comparisons").EnumerateArray().ToList();
        // Every headline figure but the references, which no variant moves (popularity's recall is the same in every run).
        Assert.DoesNotContain(comparisons, c => c.GetProperty("metric").GetString() == "recall@100/popularity");
        Assert.Contains(comparisons, c => c.GetProperty("metric").GetString() == "recall@10");
        var recall = comparisons.Single(c => c.GetProperty("metric").GetString() == "recall@10");
        var (raw, percentile) = (result.Variants["raw"]["recall@10"], result.Variants["percentile"]["recall@10"]);
        Assert.Equal(raw.Mean - percentile.Mean, recall.GetProperty("difference").GetDouble(), 12);
        Assert.Equal(ExperimentReport.Compare("raw", raw, "percentile", percentile, "recall@10").Verdict, recall.GetProperty("verdict").GetString());
        Assert.Equal(2, numbers.RootElement.GetProperty("runs").GetProperty("raw").GetArrayLength());
        Assert.Empty(await Lodestar.TestSupport.ReportInChromium.Problems(Path.Combine(config.Out, ExperimentReport.FileName)));
        // A rerun reuses every finished run: the same figures, nothing trained again.
        var before = File.GetLastWriteTimeUtc(Path.Combine(RetrievalExperiment.RunDirectory(config, "raw", 2), TrainingLoop.LastFile));
        var again = RetrievalExperiment.Run(config);
        Assert.Equal(result.Variants["raw"]["recall@100"], again.Variants["raw"]["recall@100"]);
        Assert.Equal(before, File.GetLastWriteTimeUtc(Path.Combine(RetrievalExperiment.RunDirectory(config, "raw", 2), TrainingLoop.LastFile)));
    }
}
