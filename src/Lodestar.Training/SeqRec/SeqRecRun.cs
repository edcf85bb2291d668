// Runs a sequential-recommendation experiment end to end: fit the configured model on the training
// split, pick the best epoch on validation NDCG@10, score the test split, and keep the run record current.
using System.Diagnostics;
using Lodestar.Core.Progress;
using Lodestar.Evaluation;
using Lodestar.Models;
using Lodestar.Models.Baselines;
using Lodestar.Features.SeqRec;
using Lodestar.Training.Loop;

namespace Lodestar.Training.SeqRec;

public static class SeqRecRun
{
    /// <summary>Validation NDCG@10 picks the best epoch and stops training early.</summary>
    public static SelectionMetric Selection { get; } = new(MetricNames.Ndcg(10), HigherIsBetter: true);

    /// <summary>The run input that names the sequence file.</summary>
    public const string SequencesInput = "sequences";

    /// <summary>Fits and evaluates <paramref name="config"/> on <paramref name="data"/>, writing run.json into
    /// <paramref name="runDirectory"/> after every validation and at the end.</summary>
    public static RunRecord<SeqRecConfig> Train(SeqRecConfig config, SequenceSplits data, string runDirectory, LoopOptions? options = null)
    {
        config.Validate();
        options ??= new LoopOptions();
        var start = new RunRecord<SeqRecConfig>
        {
            Task = TaskName(config.Model), Status = RunStatus.Running, Config = config, Data = DataOf(data), Selection = Selection,
        };
        if (config.Model == SeqRecModelKind.Sasrec)
        {
            return TrainingLoop.Run(new SasRecTask(config, data), config.Training, start, runDirectory, options);
        }
        // A baseline is fitted in one pass, so resuming one fits it again, after the checks every start and resume makes.
        if (TrainingLoop.CheckStart(start, runDirectory, options.Resume) is { Status: RunStatus.Finished } finished)
        {
            return finished;
        }
        Directory.CreateDirectory(runDirectory);
        var progress = options.Progress;
        var clock = Stopwatch.StartNew();
        start.Write(runDirectory);

        // Baselines are fitted in one pass: one "epoch", and a run directory that refits them on load.
        progress?.Start("fit " + Name(config.Model), 1);
        var model = FitBaseline(config, data);
        progress?.Report(1);
        var validation = Evaluate(model, data.Validation, config.Evaluation, "validation", progress);
        var epoch = new EpochRecord(1, null, validation.Metrics, clock.Elapsed.TotalSeconds);
        progress?.Line(TrainingLoop.Describe(epoch, Selection));
        var record = start with { Epochs = [epoch], BestEpoch = 1, BestValidation = validation.Metrics, SecondsToBestEpoch = clock.Elapsed.TotalSeconds };
        record.Write(runDirectory);

        var test = Evaluate(model, data.Test, config.Evaluation, "test", progress);
        record = record with { Status = RunStatus.Finished, StopReason = StopReason.Fitted, Test = test.Metrics, WallSeconds = clock.Elapsed.TotalSeconds };
        record.Write(runDirectory);
        return record;
    }

    /// <summary>The run-record name of a seqrec model: "seqrec.sasrec", "seqrec.popular", ...</summary>
    public static string TaskName(SeqRecModelKind kind) => "seqrec." + Name(kind);

    /// <summary>The sequence file as a run input (path, size, content hash) with its user, item and interaction counts.</summary>
    public static RunData DataOf(SequenceSplits data)
    {
        var provenance = data.Provenance;
        var bytes = File.Exists(provenance.File) ? new FileInfo(provenance.File).Length : (long?)null;
        return new RunData(
            [new RunInput(SequencesInput, provenance.File, provenance.Sha256, bytes)],
            new Dictionary<string, long> { ["users"] = provenance.Users, ["items"] = provenance.Items, ["interactions"] = provenance.Interactions });
    }

    /// <summary>The model a finished run describes, checked against the data it was trained on.</summary>
    public static ISequenceRecommender LoadModel(string runDirectory, RunRecord<SeqRecConfig> record, SequenceSplits data)
    {
        var trained = record.Data.Input(SequencesInput);
        if (trained.Sha256 != data.Provenance.Sha256)
        {
            throw new ArgumentException(
                $"{Path.Combine(runDirectory, RunRecord<SeqRecConfig>.FileName)}: the run was trained on {trained.Path} (sha256 {trained.Sha256}), " +
                $"but {data.Provenance.File} has sha256 {data.Provenance.Sha256}");
        }
        return record.Config.Model == SeqRecModelKind.Sasrec
            ? SasRecTask.LoadBest(runDirectory, record.Config, data.ItemCount)
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

    public static string Name(SeqRecModelKind kind) => kind switch
    {
        SeqRecModelKind.Popular => "popular",
        SeqRecModelKind.Cooc => "cooc",
        SeqRecModelKind.Sasrec => "sasrec",
        _ => kind.ToString(),
    };
}
