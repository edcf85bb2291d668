// The page of a finished variant experiment (report.html, with report.json of the same numbers beside summary.json):
// every figure's mean ± sd per variant, each variant's headline figures against the first variant's under the rule
// fixed before the runs (a direction holds when the means differ by more than twice the larger sd, else a tie), and
// each headline figure's runs drawn by variant so the spread behind a verdict is seen.
using System.Globalization;
using Lodestar.Core;
using Lodestar.Evaluation.Reports;
using Lodestar.Training.Loop;

namespace Lodestar.Experiments;

public static class ExperimentReport
{
    public const string FileName = "report.html";

    /// <summary>One headline figure of one variant against the first variant's: the difference of their means, the
    /// <see cref="SeedVerdict.SpreadsApart"/>·(larger sd) it must exceed, and "higher", "lower" or "tie".</summary>
    public sealed record Comparison(string Variant, string Baseline, string Metric, double Difference, double Threshold, string Verdict);

    /// <summary>Mean ± sd of one figure per variant, in the variants' order.</summary>
    public sealed record FigureRow(string Metric, IReadOnlyList<SeedSpread?> Variants);

    public static Comparison Compare(string variant, SeedSpread figure, string baseline, SeedSpread reference, string metric)
    {
        var (difference, threshold, verdict) = SeedVerdict.Of(figure, reference);
        return new Comparison(variant, baseline, metric, difference, threshold, verdict);
    }

    /// <summary>Writes report.html and report.json into <paramref name="directory"/>; returns the HTML path.</summary>
    /// <param name="tests">Each variant's test figures, one dictionary per seed in <paramref name="summary"/>'s seed order.</param>
    /// <param name="headline">The figures the experiment is about, compared and drawn; the table holds every figure.</param>
    public static string Write(string directory, string title, ExperimentSummary summary, IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyDictionary<string, double>>> tests,
        IReadOnlyList<string> headline)
    {
        var variants = summary.Variants.Keys.ToList();
        var metrics = summary.Variants.Values.SelectMany(v => v.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var rows = metrics.Select(m => new FigureRow(m, [.. variants.Select(v => summary.Variants[v].GetValueOrDefault(m))])).ToList();
        var shown = headline.Where(m => variants.All(v => summary.Variants[v].ContainsKey(m))).ToList();
        var baseline = variants[0];
        // A figure no run moves (a reference such as popularity, the same for every variant and seed) is drawn, not compared.
        var moved = shown.Where(m => tests.Values.SelectMany(runs => runs).Select(t => t[m]).Distinct().Skip(1).Any()).ToList();
        var comparisons = variants.Skip(1).SelectMany(v => moved.Select(m => Compare(v, summary.Variants[v][m], baseline, summary.Variants[baseline][m], m))).ToList();

        var report = new HtmlReport($"Lodestar experiment: {title}");
        report.Paragraph($"{variants.Count} variants ({string.Join(", ", variants)}), each trained under seeds {string.Join(", ", summary.Seeds)} on one world; " +
            "test figures of each run's best epoch.");
        static string F(double value) => ReportNumber.Format(value);
        if (comparisons.Count > 0)
        {
            report.Section($"Against {baseline}", $"Each variant's headline figures against {baseline}'s, by the rule fixed before the runs: a direction " +
                $"holds when the means differ by more than {SeedVerdict.SpreadsApart.ToString(CultureInfo.InvariantCulture)} times the larger of the two standard deviations over seeds; otherwise it is a tie.");
            report.Table(["variant", "figure", $"mean − {baseline}'s", "must exceed", "verdict"],
                comparisons.Select(c => (IReadOnlyList<string>)[c.Variant, c.Metric, F(c.Difference), F(c.Threshold), c.Verdict]));
        }
        if (shown.Count > 0)
        {
            report.Section("Runs by variant", $"Each headline figure of every run (one point a seed) and the variants' means; variant 1 is {baseline}, then " +
                $"{string.Join(", ", variants.Skip(1).Select((v, i) => $"{i + 2} {v}"))}.");
            foreach (var metric in shown)
            {
                var runs = variants.SelectMany((v, i) => tests[v].Select(t => (X: i + 1.0, Y: t[metric]))).ToList();
                var means = variants.Select((v, i) => (X: i + 1.0, Y: summary.Variants[v][metric].Mean)).ToList();
                report.Chart(SvgCharts.Scatter(metric, "variant", metric, [new Series("runs", runs), new Series("mean", means)]));
            }
        }
        report.Section("Every figure", "Mean ± sample standard deviation over the seeds of every test figure, per variant.");
        report.Table(["figure", .. variants], rows.Select(r => (IReadOnlyList<string>)[r.Metric, .. r.Variants.Select(s => s is null ? "" : $"{F(s.Mean)} ± {F(s.Std)}")]));

        var path = Path.Combine(directory, FileName);
        report.Write(path, new { title, variants, seeds = summary.Seeds, comparisons, figures = rows, runs = tests }, RunJson.Options);
        return path;
    }
}
