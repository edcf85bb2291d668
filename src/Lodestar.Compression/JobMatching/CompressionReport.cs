// The page of a finished compression experiment (report.html beside report.json of the same numbers): each arm's
// final students against the first arm's under the rule fixed before the runs, every figure as mean ± sd, and where each
// model sits on quality, size and latency, the policy teacher included.
using System.Globalization;
using Lodestar.Core;
using Lodestar.Evaluation.Match;
using Lodestar.Evaluation.Reports;
using Lodestar.Training.Loop;

namespace Lodestar.Compression.JobMatching;

public static class CompressionReport
{
    public const string FileName = "report.html";

    /// <summary>Writes report.html and report.json into <paramref name="directory"/>; returns the HTML path.</summary>
    public static string Write(string directory, string title, CompressionResult result)
    {
        static string F(double value) => ReportNumber.Format(value);
        var first = result.Arms[0].Arm;
        var report = new HtmlReport($"Lodestar compression: {title}");
        report.Paragraph($"{result.Arms.Count} arms, each a chain from the policy teacher to the same final student size in the same " +
            $"{result.Arms[0].BudgetEpochs} training epochs, trained under seeds {string.Join(", ", result.Seeds)}; {result.Split} figures of each link's best epoch.");

        report.Section($"Against {first}", $"Each arm's final students against {first}'s, by the rule fixed before the runs: a direction holds when the means differ " +
            $"by more than {SeedVerdict.SpreadsApart.ToString(CultureInfo.InvariantCulture)} times the larger of the two standard deviations over seeds; " +
            "otherwise it is a tie. Lower is better for ECE.");
        report.Table(["arm", "figure", $"mean − {first}'s", "must exceed", "verdict"],
            result.Arms.Skip(1).SelectMany(a => a.AgainstFirst.Select(v => (IReadOnlyList<string>)[a.Arm, v.Key, F(v.Value.Difference), F(v.Value.Threshold), v.Value.Verdict])));

        report.Section("Final students", "Mean ± sample standard deviation over seeds of each arm's last link, and the seconds its whole chain trained; the policy teacher for reference " +
            "(its apply head is not trained, so only its policy figures are read).");
        var keys = CompressionExperiment.TableKeys;
        report.Table(["model", "chain", "parameters", .. keys, "training seconds"],
            [
                ["policy teacher", "", result.PolicyTeacherParameters.ToString("N0", CultureInfo.InvariantCulture), .. keys.Select(k => F(result.PolicyTeacher[k])), ""],
                .. result.Arms.Select(a => (IReadOnlyList<string>)[a.Arm, a.Chain, Parameters(result, a.Arm),
                    .. keys.Select(k => $"{F(a.Metrics[k].Mean)} ± {F(a.Metrics[k].Std)}"), $"{a.TrainingSeconds.Mean:F0} ± {a.TrainingSeconds.Std:F0}"]),
            ]);

        report.Section("Quality, size and latency", $"Policy NDCG@10 of each model (the arms' means over seeds) against the milliseconds to score {result.LatencyPairs} " +
            $"pairs in batches of {result.LatencyBatch} (median of {result.LatencyRounds} interleaved rounds, {result.Threads} threads, {result.Isa}) and against its parameters.");
        var ndcg = result.Latencies.Select(l => (l.Model, Ndcg: l.Model == "policy teacher" ? result.PolicyTeacher[MatchMetrics.NdcgPolicy]
            : result.Arms.First(a => a.Arm == l.Model).Metrics[MatchMetrics.NdcgPolicy].Mean, l)).ToList();
        report.Chart(SvgCharts.Scatter("policy NDCG@10 against latency", $"ms for {result.LatencyPairs} pairs", MatchMetrics.NdcgPolicy,
            [.. ndcg.Select(m => new Series(m.Model, [(m.l.MedianMs, m.Ndcg)]))]));
        report.Chart(SvgCharts.Scatter("policy NDCG@10 against size", "parameters", MatchMetrics.NdcgPolicy,
            [.. ndcg.Select(m => new Series(m.Model, [(m.l.Parameters, m.Ndcg)]))]));
        report.Table(["model", "parameters", $"ms for {result.LatencyPairs} pairs", "pairs/s"],
            result.Latencies.Select(l => (IReadOnlyList<string>)[l.Model, l.Parameters.ToString("N0", CultureInfo.InvariantCulture), F(l.MedianMs), F(l.PairsPerSecond)]));

        report.Section("Every link", "Each trained link of each arm and seed, in training order.");
        report.Table(["arm", "seed", "link", "parameters", "epochs", "seconds", .. keys],
            result.Links.Select(l => (IReadOnlyList<string>)[l.Arm, l.Seed.ToString(CultureInfo.InvariantCulture), l.Stage.ToString(CultureInfo.InvariantCulture),
                l.Parameters.ToString("N0", CultureInfo.InvariantCulture), l.Epochs.ToString(CultureInfo.InvariantCulture), $"{l.TrainingSeconds:F0}", .. keys.Select(k => F(l.Metrics[k]))]));

        var path = Path.Combine(directory, FileName);
        report.Write(path, result, RunJson.Options);
        return path;
    }

    private static string Parameters(CompressionResult result, string arm) =>
        result.Links.Where(l => l.Arm == arm).MaxBy(l => l.Stage)!.Parameters.ToString("N0", CultureInfo.InvariantCulture);
}
