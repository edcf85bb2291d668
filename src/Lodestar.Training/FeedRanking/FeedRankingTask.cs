// The feed ranker in the one training loop: batches of member sequences, every post token a target of six
// weighted binary cross-entropies; validation and test score each held-out member-day's impressions in one
// pass after the member's history, and report per-task AUC and log loss (the mean AUC picks the best epoch),
// the test beside popularity and, when the world has them, the true action probabilities (the oracle).
using Lodestar.Core;
using Lodestar.Core.Progress;
using Lodestar.Evaluation;
using Lodestar.Evaluation.FeedRanking;
using Lodestar.Features.FeedRanking;
using Lodestar.Features.Retrieval;
using Lodestar.Models.FeedRanking;
using Lodestar.Nn;
using Lodestar.Nn.Optim;
using Lodestar.Tensors;
using Lodestar.Training.Loop;

namespace Lodestar.Training.FeedRanking;

public sealed class FeedRankingTask : ITrainingTask<List<FeedSequence>>
{
    private readonly FeedRankingConfig _config;
    private readonly FeedRankerModel _model;
    private readonly FeedRankingExamples _examples;
    private readonly FeedLog _log;
    private readonly IReadOnlyDictionary<long, float[]>? _truth;
    private readonly FeedSequence[] _train;
    private ReportSections? _testReport;

    /// <param name="truth">The true action probabilities of the test impressions (FeedReferences.LoadTruth), or null when the data has none.</param>
    public FeedRankingTask(FeedRankingConfig config, FeedRankerModel model, FeedRankingExamples examples, FeedLog log, IReadOnlyDictionary<long, float[]>? truth)
    {
        _config = config;
        _model = model;
        _examples = examples;
        _log = log;
        _truth = truth;
        _train = [.. examples.Train];
        if (_train.Length == 0 || examples.Validation.Count == 0)
        {
            throw new InvalidOperationException($"{_train.Length} training sequences and {examples.Validation.Count} validation member-days: the feed log is too small");
        }
        Optimizer = new AdamW(_model.Parameters(), new AdamWConfig { LearningRate = config.Training.LearningRate, WeightDecay = config.Training.WeightDecay });
        BatchesPerEpoch = (_train.Length + config.Training.BatchSize - 1) / config.Training.BatchSize;
    }

    public Module Model => _model;

    public AdamW Optimizer { get; }

    public string CheckpointKind => FeedRankerModel.Kind;

    public SelectionMetric Selection { get; } = new(FeedRankingMetrics.MeanAuc, HigherIsBetter: true);

    public int BatchesPerEpoch { get; }

    public SeededRandom EpochRandom(int epoch) => EpochBatches.Random(_config.Seed, epoch);

    public IReadOnlyList<List<FeedSequence>> Batches(int epoch, SeededRandom random) => EpochBatches.Shuffled(_train, _config.Training.BatchSize, random);

    public (Tensor Loss, double Weight) Loss(Graph graph, List<FeedSequence> sequences, SeededRandom random)
    {
        var batch = FeedBatch.ForTraining(_model.Config, sequences);
        return (_model.Loss(graph, batch, _config.TaskWeights), batch.Targets);
    }

    public IReadOnlyDictionary<string, double> Validate(IProgressReporter? progress) => Evaluate(_model, _examples.Validation, "validation", progress);

    /// <summary>
    /// The model's test figures, the share of member-days whose history was cut to the model's last MaxHistory
    /// impressions, and beside them popularity's figures (`auc/click/popularity`, ...) and the oracle's.
    /// </summary>
    public IReadOnlyDictionary<string, double> Test(IProgressReporter? progress)
    {
        var measured = Measure(_model, _examples.Test, "test", progress);
        var figures = new Dictionary<string, double>(measured.Figures())
        {
            [HistoriesCut] = _examples.Test.Count == 0 ? 0 : (double)_examples.Test.Count(d => d.HistoryCount > _model.Config.MaxHistory) / _examples.Test.Count,
        };
        var references = new List<(string Name, Func<FeedMemberDay, float[]> Scores)> { (FeedReferences.Popularity, day => FeedReferences.PopularityScores(_log, day)) };
        if (_truth is not null)
        {
            references.Add((FeedReferences.Oracle, day => FeedReferences.OracleScores(_truth, day)));
        }
        foreach (var (name, scores) in references)
        {
            foreach (var (key, value) in Evaluate(_examples.Test, scores))
            {
                if (key.StartsWith("auc/", StringComparison.Ordinal) || key.StartsWith("logloss/", StringComparison.Ordinal))
                {
                    figures[MetricNames.Of(key, name)] = value;
                }
            }
        }
        _testReport = FeedRankingReport.Sections(figures, measured.Reliability());
        return figures;
    }

    /// <summary>The share of test member-days with more impressions before the day than the model reads.</summary>
    public static readonly string HistoriesCut = MetricNames.Of("cut-share", "history");

    public void Save(string path, TrainingSnapshot? training) => _model.Save(path, training);

    /// <summary>The per-task table, the cold-start curve and the calibration of the last test, for the run's report.</summary>
    public ReportSections? TestReport() => _testReport;

    /// <summary>Per-task AUC and log loss of <paramref name="model"/> over the member-days' impressions, each day's scored in one pass.</summary>
    public static IReadOnlyDictionary<string, double> Evaluate(FeedRankerModel model, IReadOnlyList<FeedMemberDay> days, string stage, IProgressReporter? progress) =>
        Measure(model, days, stage, progress).Figures();

    private static FeedRankingMetrics Measure(FeedRankerModel model, IReadOnlyList<FeedMemberDay> days, string stage, IProgressReporter? progress)
    {
        model.Eval();
        var counter = progress is null ? null : ProgressCounter.Start(progress, stage, days.Count);
        return Measure(days, day =>
        {
            var probabilities = model.Score(day.History, day.Candidates, model.Config.FusedFeatures == 0 ? [] : day.Features);
            counter?.Advance();
            return probabilities;
        });
    }

    /// <summary>The figures of <paramref name="scores"/> (K·6 per member-day) over the member-days.</summary>
    private static IReadOnlyDictionary<string, double> Evaluate(IReadOnlyList<FeedMemberDay> days, Func<FeedMemberDay, float[]> scores) => Measure(days, scores).Figures();

    private static FeedRankingMetrics Measure(IReadOnlyList<FeedMemberDay> days, Func<FeedMemberDay, float[]> scores)
    {
        var metrics = new FeedRankingMetrics();
        foreach (var day in days)
        {
            metrics.Add(scores(day), day.Actions, day.HistoryCount);
        }
        return metrics;
    }
}
