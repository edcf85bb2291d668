// What a feed-ranking run's report adds about its test: a row per action (AUC, log loss, calibration error, and
// popularity and the oracle beside them with the share of the gap between the two the model closes), the cold-start
// curve (mean AUC by the member's history length), and each action's reliability curve.
using Lodestar.Evaluation;
using Lodestar.Evaluation.Calibration;
using Lodestar.Evaluation.FeedRanking;
using Lodestar.Evaluation.Reports;
using Lodestar.Models.FeedRanking;
using Lodestar.Training.Loop;

namespace Lodestar.Training.FeedRanking;

public static class FeedRankingReport
{
    /// <summary>One action's test figures; the references' are null when the run has none (the oracle needs a generated world).</summary>
    public sealed record TaskRow(string Task, double? Auc, double LogLoss, double Ece, double? PopularityAuc, double? OracleAuc, double? GapClosed);

    /// <summary>One history bucket: its impressions and the mean AUC of the model and of each reference there.</summary>
    public sealed record ColdStartRow(string Bucket, double Impressions, double? Model, double? Popularity, double? Oracle);

    /// <summary>The sections of a test's <paramref name="figures"/> (FeedRankingTask.Test) and its per-action <paramref name="reliability"/>.</summary>
    public static ReportSections Sections(IReadOnlyDictionary<string, double> figures, IReadOnlyList<ReliabilityCurve> reliability)
    {
        double? Get(string key) => figures.TryGetValue(key, out var value) ? value : null;
        var tasks = FeedTasks.Names.Select(task =>
        {
            var (auc, popularity, oracle) = (Get(MetricNames.Auc(task)), Get(MetricNames.Of(MetricNames.Auc(task), FeedReferences.Popularity)),
                Get(MetricNames.Of(MetricNames.Auc(task), FeedReferences.Oracle)));
            var gap = auc is { } a && popularity is { } p && oracle is { } o && o > p ? (a - p) / (o - p) : (double?)null;
            return new TaskRow(task, auc, figures[FeedRankingMetrics.LogLoss(task)], figures[MetricNames.Ece(task)], popularity, oracle, gap);
        }).ToList();
        var coldStart = FeedRankingMetrics.HistoryBuckets.Select(bucket => new ColdStartRow(bucket.Name, figures[MetricNames.Of("impressions", bucket.Name)],
            Get(MetricNames.Of(FeedRankingMetrics.MeanAuc, bucket.Name)), Get(MetricNames.Of(MetricNames.Of(FeedRankingMetrics.MeanAuc, bucket.Name), FeedReferences.Popularity)),
            Get(MetricNames.Of(MetricNames.Of(FeedRankingMetrics.MeanAuc, bucket.Name), FeedReferences.Oracle)))).ToList();
        var calibration = FeedTasks.Names.Select((task, t) => (task, t)).ToDictionary(x => x.task, x => reliability[x.t].Bins.Where(b => b.Count > 0).ToList());
        return new ReportSections(report => Add(report, tasks, coldStart, calibration), new { tasks, coldStart, calibration });
    }

    private static void Add(HtmlReport report, List<TaskRow> tasks, List<ColdStartRow> coldStart, Dictionary<string, List<ReliabilityBin>> calibration)
    {
        static string F(double? value) => value is { } v ? ReportNumber.Format(v) : "";
        report.Section("Each action", "One row per action on the test days: how well the model orders impressions by it (AUC, 0.5 is chance), its log loss, " +
            "and how far its probabilities are from the observed rates (ECE, 0 is perfect). Popularity and the world's true probabilities (the oracle, " +
            "which no model sees) bound it from below and above; the last column is the share of the gap between them the model closes.");
        report.Table(["action", "AUC", "log loss", "ECE", "popularity AUC", "oracle AUC", "gap closed"],
            tasks.Select(r => (IReadOnlyList<string>)[r.Task, F(r.Auc), F(r.LogLoss), F(r.Ece), F(r.PopularityAuc), F(r.OracleAuc), F(r.GapClosed)]));

        var buckets = coldStart.Select((row, i) => (row, x: i + 1.0)).ToList();
        report.Section("Cold start", "Mean AUC over the actions by how many impressions the member had before the day: bucket 1 is none, then 1–5, 6–20, " +
            "21–100 and more than 100. A model that reads the history should gain most where there is some; popularity reads none.");
        report.Chart(SvgCharts.LineChart("Mean AUC by history length", "history bucket (1: none … 5: over 100)", "mean AUC",
            Series.Of(buckets, ("model", r => r.Model), ("popularity", r => r.Popularity), ("oracle", r => r.Oracle))));
        report.Table(["bucket", "history", "impressions", "model", "popularity", "oracle"],
            buckets.Select(b => (IReadOnlyList<string>)[ReportNumber.Count((long)b.x), b.row.Bucket, ReportNumber.Count((long)b.row.Impressions), F(b.row.Model), F(b.row.Popularity), F(b.row.Oracle)]));

        report.Section("Calibration", "For each action, the test impressions binned by predicted probability: the mean prediction of a bin against the rate " +
            "observed in it. On the dashed diagonal a probability can be taken at its word (a ranker is judged by its order first; the feed weighs actions by these probabilities).");
        report.Chart(SvgCharts.Reliability("Predicted against observed, per action",
            [.. calibration.Where(c => c.Value.Count > 0).Select(c => new Series(c.Key, [.. c.Value.Select(b => (b.MeanPredicted, b.ObservedRate))]))]));
    }
}
