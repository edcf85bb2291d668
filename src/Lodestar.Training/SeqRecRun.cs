// Runs a sequential-recommendation experiment end to end: fit the configured model on the training
// split, pick the best epoch on validation NDCG@10, score the test split, and keep the run record current.
using System.Diagnostics;
using Lodestar.Core.Progress;
using Lodestar.Evaluation;
using Lodestar.Models;
using Lodestar.Models.Baselines;
using Lodestar.Features.SeqRec;

namespace Lodestar.Training;

public static class SeqRecRun
{
    /// <summary>The key early stopping and best-epoch selection watch.</summary>
    public const string SelectionMetric = "ndcg@10";

    /// <summary>Fits and evaluates <paramref name="config"/> on <paramref name="data"/>, writing run.json into
    /// <paramref name="runDirectory"/> after every epoch and at the end.</summary>
    public static RunRecord Train(SeqRecConfig config, SequenceSplits data, string runDirectory, IProgressReporter? progress = null, bool resume = false)
    {
        config.Validate();
        Directory.CreateDirectory(runDirectory);
        if (config.Model == SeqRecModelKind.Sasrec)
        {
            return SasRecTrainer.Train(config, data, runDirectory, progress, resume);
        }
        if (resume)
        {
            throw new ArgumentException($"--resume: {Name(config.Model)} is fitted in one pass; there is nothing to resume");
        }
        var clock = Stopwatch.StartNew();
        var record = new RunRecord { Status = "running", Config = config, Data = data.Provenance, HistoryExcluded = config.Evaluation.ExcludeHistory };
        record.Write(runDirectory);

        // Baselines are fitted in one pass: one "epoch", and a run directory that refits them on load.
        progress?.Start("fit " + Name(config.Model), 1);
        var model = FitBaseline(config, data);
        progress?.Report(1);
        var validation = Evaluate(model, data.Validation, config.Evaluation, "validation", progress);
        var epoch = new EpochRecord(1, null, validation.Metrics, clock.Elapsed.TotalSeconds);
        progress?.Line(Describe(epoch));
        record = record with { Epochs = [epoch], BestEpoch = 1, BestValidation = validation.Metrics, SecondsToBestEpoch = clock.Elapsed.TotalSeconds };
        record.Write(runDirectory);

        var test = Evaluate(model, data.Test, config.Evaluation, "test", progress);
        record = record with { Status = "finished", Test = test.Metrics, WallSeconds = clock.Elapsed.TotalSeconds };
        record.Write(runDirectory);
        return record;
    }

    /// <summary>The model a finished run describes, checked against the data it was trained on.</summary>
    public static ISequenceRecommender LoadModel(string runDirectory, RunRecord record, SequenceSplits data)
    {
        if (record.Data.Sha256 != data.Provenance.Sha256)
        {
            throw new ArgumentException(
                $"{Path.Combine(runDirectory, RunRecord.FileName)}: the run was trained on {record.Data.File} (sha256 {record.Data.Sha256}), " +
                $"but {data.Provenance.File} has sha256 {data.Provenance.Sha256}");
        }
        return record.Config.Model == SeqRecModelKind.Sasrec
            ? SasRecTrainer.LoadBest(runDirectory, record.Config, data.ItemCount)
            : FitBaseline(record.Config, data);
    }

    /// <summary>Fits a one-pass baseline on the training split (deterministic: the same data give the same model).</summary>
    public static ISequenceRecommender FitBaseline(SeqRecConfig config, SequenceSplits data) => config.Model switch
    {
        SeqRecModelKind.Popular => MostPopularRecommender.Fit(data.Training, data.ItemCount),
        SeqRecModelKind.Cooc => CooccurrenceRecommender.Fit(data.Training, data.ItemCount, config.Cooc),
        _ => throw new ArgumentException($"model {config.Model} is not a one-pass baseline"),
    };

    /// <summary>Full-ranking metrics of <paramref name="model"/> over <paramref name="cases"/>.</summary>
    public static RankingReport Evaluate(
        ISequenceRecommender model, IReadOnlyList<RankingCase> cases, RankingOptions options, string stage, IProgressReporter? progress)
    {
        var counter = progress is null ? null : ProgressCounter.Start(progress, stage, cases.Count);
        return FullRankingEvaluator.Evaluate(cases, model, options, counter is null ? null : counter.Advance);
    }

    /// <summary>One line for an evaluated epoch: its training loss and validation NDCG@10.</summary>
    public static string Describe(EpochRecord epoch) =>
        $"epoch {epoch.Epoch}: loss {(epoch.TrainLoss is { } l ? l.ToString("F4", System.Globalization.CultureInfo.InvariantCulture) : "-")}, " +
        $"valid ndcg@10 {epoch.Validation[SelectionMetric]:F4}, {epoch.Seconds:F1} s";

    public static string Name(SeqRecModelKind kind) => kind switch
    {
        SeqRecModelKind.Popular => "popular",
        SeqRecModelKind.Cooc => "cooc",
        SeqRecModelKind.Sasrec => "sasrec",
        _ => kind.ToString(),
    };
}
