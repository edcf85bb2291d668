// The feed ranker trained end to end on a small generated world through the one training loop: the run directory
// holds every task's test AUC and log loss, the ranker learns (its mean AUC clearly beats chance, 0.5, on held-out days) and
// stays below the world's true probabilities, the cold-start buckets hold every test impression, and a resumed finished
// run returns its record.
using Lodestar.Data.Generation;
using Lodestar.Data.Vocabularies;
using Lodestar.Evaluation;
using Lodestar.Evaluation.FeedRanking;
using Lodestar.Models.FeedRanking;
using Lodestar.Training.FeedRanking;
using Lodestar.Training.Loop;

namespace Lodestar.Training.Tests;

public sealed class FeedRankingTrainingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-feed-train-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ARunReportsEveryTasksAucAndLearns()
    {
        var world = Path.Combine(_directory, "world");
        WorldGenerator.Generate(new WorldConfig { Members = 1500, Days = 14, Seed = 5, MatchSamplePairs = 50, Threads = 1 }, BuiltInVocabulary.Create(), world);
        var config = new FeedRankingConfig
        {
            World = world,
            Data = new() { ValidationDays = 2, TestDays = 2 },
            Model = new FeedRankerConfig { MaxHistory = 40, Channels = 32, Heads = 2, FeedForward = 64, Layers = 1, Experts = 2, ExpertWidth = 16 },
            EvaluationDays = 300,
            Training = FeedRankingConfig.DefaultTraining with { Epochs = 6, BatchSize = 16, LearningRate = 3e-3f },
        };
        var run = Path.Combine(_directory, "run");
        var record = FeedRankingRun.Train(config, run);
        Assert.Equal(RunStatus.Finished, record.Status);
        var test = record.Test!;
        foreach (var task in new[] { "click", "skip", "long-dwell", "like" })
        {
            Assert.InRange(test[MetricNames.Auc(task)], 0, 1);
            Assert.True(test[FeedRankingMetrics.LogLoss(task)] > 0);
        }
        Assert.True(test[FeedRankingMetrics.MeanAuc] > 0.58, $"mean test AUC {test[FeedRankingMetrics.MeanAuc]}; validation by epoch {string.Join(", ", record.Epochs.Select(e => e.Validation[FeedRankingMetrics.MeanAuc].ToString("F3")))}");
        // The references beside it: popularity (reported), and the world's true probabilities above the ranker.
        Assert.True(test[MetricNames.Of(FeedRankingMetrics.MeanAuc, FeedReferences.Oracle)] > test[FeedRankingMetrics.MeanAuc],
            $"oracle {test[MetricNames.Of(FeedRankingMetrics.MeanAuc, FeedReferences.Oracle)]}, ranker {test[FeedRankingMetrics.MeanAuc]}");
        Assert.Contains(MetricNames.Of(MetricNames.Auc("click"), FeedReferences.Popularity), test.Keys);
        Assert.Equal(test["impressions"], FeedRankingMetrics.HistoryBuckets.Sum(b => test[MetricNames.Of("impressions", b.Name)]));
        // Histories longer than the model's 40 impressions are cut to their last 40, and counted.
        Assert.InRange(test[FeedRankingTask.HistoriesCut], 0.01, 1);
        Assert.True(File.Exists(Path.Combine(run, TrainingLoop.BestFile)));
        Assert.Equal(config.Model, FeedRankerModel.Load(Path.Combine(run, TrainingLoop.BestFile)).Config);
        var resumed = FeedRankingRun.Train(config, run, new LoopOptions(Resume: true));
        Assert.Equal(record.Test, resumed.Test);

        // The report has a row per action, the cold-start curve and each action's calibration, with the same numbers in report.json.
        var html = File.ReadAllText(Path.Combine(run, RunReport.FileName));
        foreach (var section in new[] { "Each action", "Cold start", "Calibration", "Mean AUC by history length", "Predicted against observed, per action" })
        {
            Assert.Contains(section, html, StringComparison.Ordinal);
        }
        // Its dozens of test and validation figures are written a row each, not across one row.
        Assert.Contains("<th>metric</th><th>test</th>", html, StringComparison.Ordinal);
        Assert.Contains("<th>epoch 1</th>", html, StringComparison.Ordinal);
        using var numbers = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "report.json")));
        var rows = numbers.RootElement.GetProperty("task").GetProperty("tasks").EnumerateArray().ToList();
        Assert.Equal(FeedTasks.Names, rows.Select(r => r.GetProperty("task").GetString()));
        Assert.All(rows, r => Assert.Equal(test[MetricNames.Ece(r.GetProperty("task").GetString()!)], r.GetProperty("ece").GetDouble()));
        var click = rows[0];
        Assert.Equal((test[MetricNames.Auc("click")] - click.GetProperty("popularity_auc").GetDouble()) / (click.GetProperty("oracle_auc").GetDouble() - click.GetProperty("popularity_auc").GetDouble()),
            click.GetProperty("gap_closed").GetDouble(), 12);
        Assert.InRange(test[MetricNames.Ece("click")], 0, 1);
        Assert.Equal(record.Test, System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, double>>(numbers.RootElement.GetProperty("run").GetProperty("test").GetRawText()));
        Assert.Empty(await Lodestar.TestSupport.ReportInChromium.Problems(Path.Combine(run, RunReport.FileName)));
    }

    [Fact]
    public void AnUnknownConfigFieldOrAnotherModelsCheckpointIsRefusedByName()
    {
        var config = Path.Combine(_directory, "feed.json");
        File.WriteAllText(config, """{ "world": "w", "modle": { "channels": 32 } }""");
        var field = Assert.ThrowsAny<Exception>(() => FeedRankingConfig.Load(config));
        Assert.Contains("modle", field.Message, StringComparison.Ordinal);
        var weights = Path.Combine(_directory, "sasrec.safetensors");
        new Models.SasRec.SasRecModel(new Models.SasRec.SasRecConfig(), itemCount: 5, seed: 1).Save(weights);
        var kind = Assert.ThrowsAny<Exception>(() => FeedRankerModel.Load(weights));
        Assert.Contains(FeedRankerModel.Kind, kind.Message, StringComparison.Ordinal);
    }
}
