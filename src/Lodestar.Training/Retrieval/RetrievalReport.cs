// What a retrieval run's report adds about its test: recall at each depth for the model beside popularity and the
// world's truth reference (with the share of the gap between them the model closes when that reference is an upper bound), the cold-start curve (recall@100 by how
// many engagements the member had before the day), and each post's popularity against its mean similarity to the day's
// members, the correlation percentile tokens are meant to bring.
using Lodestar.Evaluation;
using Lodestar.Evaluation.Reports;
using Lodestar.Evaluation.Retrieval;
using Lodestar.Training.Loop;

namespace Lodestar.Training.Retrieval;

public static class RetrievalReport
{
    /// <summary>One metric of the test: the model's, and popularity's and the truth reference's when the run has them.</summary>
    public sealed record MetricRow(string Metric, double Model, double? Popularity, double? Truth, double? GapClosed);

    /// <summary>One history bucket: its member-days and recall@100 of the model and of each reference there.</summary>
    public sealed record ColdStartRow(string Bucket, double MemberDays, double Model, double? Popularity, double? Truth);

    /// <summary>Points of the scatter: a post on a test day, log(1 + its engagements before the day) and its mean similarity to that day's members.</summary>
    public sealed record PopularityPoint(double Popularity, double Similarity);

    /// <summary>
    /// The sections of a test's <paramref name="figures"/> (RetrievalTask.Test) and up to a few thousand of its posts'
    /// <paramref name="points"/>; <paramref name="truth"/> names the truth reference's figures (none when null).
    /// </summary>
    public static ReportSections Sections(IReadOnlyDictionary<string, double> figures, IReadOnlyList<PopularityPoint> points, TruthReference? truth)
    {
        double? Get(string key) => figures.TryGetValue(key, out var value) ? value : null;
        double? Truth(string key) => truth is null ? null : Get(MetricNames.Of(key, truth.Target));
        var metrics = RetrievalMetrics.Keys.Select(key =>
        {
            var (model, popularity, reference) = (figures[key], Get(MetricNames.Of(key, RetrievalTask.PopularityTarget)), Truth(key));
            var gap = truth is { IsUpperBound: true } && popularity is { } p && reference is { } o && o > p ? (model - p) / (o - p) : (double?)null;
            return new MetricRow(key, model, popularity, reference, gap);
        }).ToList();
        var recall = MetricNames.Recall(100);
        var coldStart = RetrievalMetrics.HistoryBuckets.Where(b => figures.ContainsKey(MetricNames.Of("queries", b.Name))).Select(b =>
        {
            var key = MetricNames.Of(recall, b.Name);
            return new ColdStartRow(b.Name, figures[MetricNames.Of("queries", b.Name)], figures[key], Get(MetricNames.Of(key, RetrievalTask.PopularityTarget)), Truth(key));
        }).ToList();
        var pearson = Get(RetrievalTask.PopularitySimilarity);
        var name = truth?.Target ?? RetrievalTask.OracleTarget;
        return new ReportSections(report => Add(report, metrics, coldStart, points, pearson, name),
            new { truth = truth?.Target, truthIsUpperBound = truth?.IsUpperBound, metrics, coldStart, pearson, points });
    }

    private static void Add(HtmlReport report, List<MetricRow> metrics, List<ColdStartRow> coldStart, IReadOnlyList<PopularityPoint> points, double? pearson, string truth)
    {
        static string F(double? value) => value is { } v ? ReportNumber.Format(v) : "";
        var reference = truth == RetrievalTask.MatchTarget
            ? "the match ranks the open jobs by the member's true match, which no model sees; applies also follow what the match does not score, so a " +
              "model can pass it and no gap is read."
            : "the oracle ranks the items the world could show by their true relevance to the member, which no model sees. The last column is the " +
              "share of the gap between the two the model closes.";
        report.Section("Recall at each depth", "Of each test member-day's engagements, the share among the first K items (posts, or jobs) retrieved from every item " +
            $"created by that day. Popularity gives every member the most engaged items; {reference}");
        var recalls = metrics.Where(m => m.Metric.StartsWith("recall@", StringComparison.Ordinal)).ToList();
        var depths = recalls.Select(m => double.Parse(m.Metric["recall@".Length..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        // One chart when the curves are of one magnitude, else one each (popularity can sit near zero beside the oracle).
        foreach (var chart in SvgCharts.LineCharts("Recall by depth", "K (items retrieved)", "recall@K",
            Series.Of([.. recalls.Select((r, i) => (r, depths[i]))], ("model", r => r.Model), ("popularity", r => r.Popularity), (truth, r => r.Truth))))
        {
            report.Chart(chart);
        }
        report.Table(["metric", "model", "popularity", truth, "gap closed"],
            metrics.Select(r => (IReadOnlyList<string>)[r.Metric, F(r.Model), F(r.Popularity), F(r.Truth), F(r.GapClosed)]));

        var buckets = coldStart.Select((row, i) => (row, x: i + 1.0)).ToList();
        report.Section("Cold start", "recall@100 by how many engagements the member had before the day: bucket 1 is none, then 1–2, 3–5, 6–20 and more " +
            "than 20 (only buckets with test member-days are drawn). Prior knowledge in the encoder shows where the history is short.");
        foreach (var chart in SvgCharts.LineCharts("recall@100 by history length", "history bucket (1: none … 5: over 20)", "recall@100",
            Series.Of(buckets, ("model", r => r.Model), ("popularity", r => r.Popularity), (truth, r => r.Truth))))
        {
            report.Chart(chart);
        }
        report.Table(["bucket", "history", "member-days", "model", "popularity", truth],
            buckets.Select(b => (IReadOnlyList<string>)[ReportNumber.Count((long)b.x), b.row.Bucket, ReportNumber.Count((long)b.row.MemberDays), F(b.row.Model), F(b.row.Popularity), F(b.row.Truth)]));

        if (points.Count > 0)
        {
            report.Section("Popularity and similarity", $"Each point a post on a test day: log(1 + its engagements before the day) against its mean cosine " +
                $"similarity to that day's test members ({ReportNumber.Count(points.Count)} points spread over the test). Pearson correlation over every " +
                $"post and day: {F(pearson)}. LinkedIn measured −0.004 with raw counts in its prompts and about 30 times more with percentile tokens.");
            report.Chart(SvgCharts.Scatter("Popularity against mean similarity", "log(1 + engagements before the day)", "mean similarity to the day's members",
                [new Series("posts", [.. points.Select(p => (p.Popularity, p.Similarity))])]));
        }
    }
}
