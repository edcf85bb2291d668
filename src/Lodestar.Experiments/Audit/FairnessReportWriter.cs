// The fairness audit as HTML (a table per ranker and creator grouping, exposure against merit-order exposure as
// a chart, the probes and the counterfactual check) with the same numbers as JSON beside it.
using System.Globalization;
using Lodestar.Evaluation.Reports;
using Lodestar.Training.Loop;

namespace Lodestar.Experiments.Audit;

public static class FairnessReportWriter
{
    /// <summary>Writes <paramref name="path"/> (HTML) and its JSON beside it; returns the JSON path.</summary>
    public static string Write(string path, FeedFairnessReport audit)
    {
        var report = new HtmlReport($"Fairness audit of {Path.GetFileName(audit.Run.TrimEnd('/'))}");
        report.Section("What was audited",
            $"Run {audit.Run} on {audit.World}: {audit.MemberDays:N0} test member-days, each day's impressions ranked by every ranker below. " +
            $"Attention by position: {audit.Attention}. Merit: {audit.Merit}.");
        report.Paragraph($"A group is flagged when its exposure ÷ the exposure a merit order gives the same posts is below {F(audit.Thresholds.ExposureRatioLow)} " +
            $"or above {F(audit.Thresholds.ExposureRatioHigh)} (the four-fifths rule, both ways), over at least {audit.Thresholds.MinimumItems} shown posts. " +
            "The interval beside each ratio is the middle 95% over member-days resampled with replacement; the flag reads the ratio itself.");
        foreach (var ranker in audit.Rankers)
        {
            report.Section($"Ranker: {ranker.Ranker}", ranker.Description + (ranker.Flags.Count == 0 ? ". Nothing flagged." : $". Flagged: {string.Join("; ", ranker.Flags)}."));
            report.Table(["grouping", "group", "posts shown", "exposure share", "merit-order share", "exposure ÷ target", "95% interval", "exposure per merit ÷ all", "EE loss"],
                ranker.Groupings.SelectMany(g => g.Value.Groups.Select(x => (IReadOnlyList<string>)
                [
                    g.Key, x.Group, x.Items.ToString("N0", CultureInfo.InvariantCulture), F(x.ExposureShare), F(x.TargetExposure / x.TotalExposure),
                    F(x.TargetRatio), $"[{F(x.TargetRatioLow)}, {F(x.TargetRatioHigh)}]", F(x.MeritRatio), F(g.Value.ExpectedExposureLoss),
                ])));
        }
        foreach (var grouping in audit.Rankers.FirstOrDefault()?.Groupings.Keys ?? [])
        {
            report.Chart(SvgCharts.Scatter($"{grouping}: each group's share of exposure against its share under the merit order", "merit-order share", "exposure share",
                [.. audit.Rankers.Select(r => new Series(r.Ranker, [.. r.Groupings[grouping].Groups.Select(x => (x.TargetExposure / x.TotalExposure, x.ExposureShare))]))]));
        }
        report.Section("Proxy probes",
            $"A ridge logistic probe, fitted on half the test members and scored on the other half, predicts each attribute value from a representation; " +
            $"the reference probe reads only the member's years of experience and seniority. Flagged when the probe's 95% lower bound exceeds the better of 0.5 " +
            $"and the reference by more than {F(audit.Thresholds.ProbeMargin)}.");
        report.Table(["representation", "attribute", "value", "AUC", "95% interval", "reference AUC", "held-out members", "flagged"],
            audit.Probes.Select(p => (IReadOnlyList<string>)
            [
                p.Representation, p.Attribute, p.Value, F(p.Probe.Auc), $"[{F(p.Probe.Low)}, {F(p.Probe.High)}]", F(p.Reference.Auc),
                (p.Probe.Positives + p.Probe.Negatives).ToString("N0", CultureInfo.InvariantCulture), p.Flagged ? "yes" : "no",
            ]));
        var check = audit.Invariance;
        report.Section("Counterfactual invariance",
            $"{check.Change} ({check.MembersChanged:N0} members) in a copy of the world; the run opened on the copy: " +
            $"{check.InputsDiffering:N0} of {check.InputsCompared:N0} member-days' inputs and {check.ScoresDiffering:N0} of {check.ScoresCompared:N0} scores differ.");
        return report.Write(path, audit, RunJson.Options);
    }

    private static string F(double value) => double.IsNaN(value) ? "–" : value.ToString("F3", CultureInfo.InvariantCulture);
}
