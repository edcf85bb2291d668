// A fairness audit as HTML (creator exposure per ranker with a chart per grouping, member outcomes per matcher, the
// probes and the counterfactual check) with the same numbers as JSON beside it.
using System.Globalization;
using Lodestar.Evaluation.Reports;
using Lodestar.Training.Loop;

namespace Lodestar.Experiments.Audit;

public static class FairnessReportWriter
{
    /// <summary>Writes <paramref name="path"/> (HTML) and its JSON beside it; returns the JSON path.</summary>
    public static string Write(string path, FairnessReport audit)
    {
        var report = new HtmlReport($"Fairness audit of {Path.GetFileName(audit.Run.TrimEnd('/'))} ({audit.Task})");
        report.Section("What was audited", $"Run {audit.Run} on {audit.World}.");
        foreach (var definition in audit.Definitions)
        {
            report.Paragraph(definition);
        }
        foreach (var ranker in audit.Rankers)
        {
            report.Section($"Ranker: {ranker.Ranker}", ranker.Description + Flagged(ranker.Flags));
            report.Table(["grouping", "group", "posts shown", "exposure share", "merit-order share", "exposure ÷ target", "95% interval", "exposure per merit ÷ all", "EE loss"],
                ranker.Groupings.SelectMany(g => g.Value.Groups.Select(x => (IReadOnlyList<string>)
                [
                    g.Key, x.Group, N(x.Items), F(x.ExposureShare), F(x.TargetExposure / x.TotalExposure),
                    F(x.TargetRatio), $"[{F(x.TargetRatioLow)}, {F(x.TargetRatioHigh)}]", F(x.MeritRatio), F(g.Value.ExpectedExposureLoss),
                ])));
        }
        foreach (var grouping in audit.Rankers.FirstOrDefault()?.Groupings.Keys ?? [])
        {
            report.Chart(SvgCharts.Parity($"{grouping}: each group's share of exposure against its share under the merit order", "merit-order share", "exposure share",
                [.. audit.Rankers.Select(r => new Series(r.Ranker, [.. r.Groupings[grouping].Groups.Select(x => (x.TargetExposure / x.TotalExposure, x.ExposureShare))]))]));
        }
        foreach (var matcher in audit.Matchers)
        {
            report.Section($"Matcher: {matcher.Matcher}", $"{matcher.Description}. The {N(matcher.Members)} members with a well-matched job: shown rate {F(matcher.ShownRate)}, apply rate {F(matcher.ApplyRate)}" + Flagged(matcher.Flags));
            report.Table(["attribute", "group", "members", "by quality bucket", "shown rate", "÷ all", "95% interval", "apply rate", "÷ all", "95% interval"],
                matcher.Attributes.SelectMany(a => a.Value.Select(g => (IReadOnlyList<string>)
                [
                    a.Key, g.Group, N(g.Members), string.Join(" / ", g.MembersByQuality.Values), F(g.ShownRate), F(g.ShownRatio), $"[{F(g.ShownRatioLow)}, {F(g.ShownRatioHigh)}]",
                    F(g.ApplyRate), F(g.ApplyRatio), $"[{F(g.ApplyRatioLow)}, {F(g.ApplyRatioHigh)}]",
                ])));
        }
        foreach (var attribute in audit.Matchers.FirstOrDefault()?.Attributes.Keys ?? [])
        {
            report.Chart(SvgCharts.Parity($"{attribute}: each group's shown rate against all members'", "all members' shown rate", "group's shown rate",
                [.. audit.Matchers.Select(m => new Series(m.Matcher, [.. m.Attributes[attribute].Select(g => (m.ShownRate, g.ShownRate))]))]));
        }
        report.Section("Proxy probes",
            $"A ridge logistic probe, fitted on half the members and scored on the other half, predicts each attribute value from a representation; " +
            $"the reference probe reads only the member's years of experience and seniority. Flagged when the probe's 95% lower bound exceeds the better of 0.5 " +
            $"and the reference by more than {F(audit.Thresholds.ProbeMargin)}.");
        report.Table(["representation", "attribute", "value", "AUC", "95% interval", "reference AUC", "held-out members", "flagged"],
            audit.Probes.Select(p => (IReadOnlyList<string>)
            [
                p.Representation, p.Attribute, p.Value, F(p.Probe.Auc), $"[{F(p.Probe.Low)}, {F(p.Probe.High)}]", F(p.Reference.Auc),
                N(p.Probe.Positives + p.Probe.Negatives), p.Flagged ? "yes" : "no",
            ]));
        if (audit.Feedback is { } loop)
        {
            report.Section("Popularity feedback loop of the world's logged feed",
                $"Day by day over the live posts: the Gini coefficient of impressions against that of a merit allocation ({loop.Merit}), and the share of the day's impressions " +
                $"the tenth of live posts richest in earlier positives take against their share of the merit allocation. Mean excess Gini {F(loop.MeanExcessGini)}, " +
                $"changing by {F(loop.ExcessGiniPerDay)} a day.");
            report.Chart(SvgCharts.LineChart("Concentration of impressions and of merit over the days", "day", "Gini coefficient",
            [
                new Series("impressions", [.. loop.Days.Select(d => ((double)d.Day, d.ImpressionGini))]),
                new Series("merit", [.. loop.Days.Select(d => ((double)d.Day, d.MeritGini))]),
            ]));
            report.Chart(SvgCharts.LineChart("The tenth of live posts richest in earlier positives: share of impressions ÷ share of merit", "day", "ratio",
                [new Series("rich posts", [.. loop.Days.Select(d => ((double)d.Day, d.RichShare / d.RichMeritShare))])]));
            report.Table(["day", "live posts", "impressions", "impression Gini", "merit Gini", "rich share", "rich merit share"],
                loop.Days.Select(d => (IReadOnlyList<string>)[N(d.Day), N(d.LivePosts), N(d.Impressions), F(d.ImpressionGini), F(d.MeritGini), F(d.RichShare), F(d.RichMeritShare)]));
        }
        var check = audit.Invariance;
        report.Section("Counterfactual invariance",
            $"{check.Change} ({check.MembersChanged:N0} members) in a copy of the world, the run's inputs rebuilt on the copy: " +
            $"{check.InputsDiffering:N0} of {check.InputsCompared:N0} inputs and {check.ScoresDiffering:N0} of {check.ScoresCompared:N0} scores differ.");
        return report.Write(path, audit, RunJson.Options);
    }

    private static string Flagged(IReadOnlyList<string> flags) => flags.Count == 0 ? ". Nothing flagged." : $". Flagged: {string.Join("; ", flags)}.";

    private static string F(double value) => ReportNumber.Format(value);

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
