// Turns a match evaluation into the quickstart's HTML report (tables; loss curves, quality vs size vs
// latency, reliability diagrams as inline SVG) with a JSON of the same numbers beside it.
using System.Globalization;
using Lodestar.Evaluation;
using Lodestar.Evaluation.Match;
using Lodestar.Evaluation.Reports;
using Lodestar.Training.Loop;
using Lodestar.Training.JobMatching;

namespace Lodestar.Experiments.JobMatching;

public static class MatchReportWriter
{
    /// <summary>Writes report.html and report.json into directory; returns the HTML path.</summary>
    public static string Write(string directory, MatchEvaluation evaluation, ExperimentResult? experiment = null)
    {
        var report = new HtmlReport("Lodestar job matching: teachers and distilled student");
        report.Paragraph($"Test split: {ReportNumber.Count(evaluation.TestExamples)} pairs ({ReportNumber.Count(evaluation.TestApplyExamples)} viewed jobs with apply labels), {ReportNumber.Count(evaluation.GoldenPairs)} golden pairs; data {evaluation.DataHash[..12]}. FMA peak {F(evaluation.FmaPeakGflops)} GFLOP/s (measured in the same run; other work may have been running).");
        report.Section("Quality", $"How well each model ranks jobs for members and how honest its apply probabilities are. {MatchMetrics.NdcgPolicy} ranks each member's test jobs against the overall score the product policy itself assigns (the policy scorer is the ceiling, 1.0 by definition); {MatchMetrics.NdcgTruth} ranks them against the world's hidden true match and {MatchMetrics.NdcgTruthByJob} each job's members; {MatchMetrics.EceApply} is after temperature scaling, {MatchMetrics.EceApplyRaw} before. The student should come close to the teachers with far fewer parameters.");
        report.Table(["model", "parameters", .. MatchMetrics.Keys, "temperature"],
            evaluation.Models.Select(m => (IReadOnlyList<string>)[m.Role, ReportNumber.Count(m.Parameters), .. MatchMetrics.Keys.Select(k => F(m.Metrics[k])), F(1 / m.Calibration.Scale)]));
        var policy = evaluation.Models.FirstOrDefault(m => m.Role == "policy-teacher");
        report.Section("Speed", "What each model costs to serve: latency for one pair and throughput for batches of 64, and the share of the machine's peak it reaches; the last two columns are the point of distillation (a smaller model, more pairs a second). Inference mode (no tape). Each figure is at the faster of one and two kernel threads (the count used is shown). Batches of 64 test pairs are sorted by length and cut to their longest pair; GFLOP/s counts only the real tokens' multiply–adds (MatchModel.ForwardFlops), over the time of the bucketed batches; the fraction is of the whole machine's FMA peak.");
        report.Table(["model", "p50 ms (batch 1)", "p99 ms (batch 1)", "threads (batch 1)", "pairs/s (batch 64)", "threads (batch 64)", "GFLOP/s", "fraction of FMA peak", "parameters ÷ policy teacher's", "throughput × policy teacher's"],
            evaluation.Models.Select(m => (IReadOnlyList<string>)[m.Role, F(m.MeasuredSpeed.LatencyP50Ms), F(m.MeasuredSpeed.LatencyP99Ms), m.MeasuredSpeed.ThreadsBatch1.ToString(CultureInfo.InvariantCulture),
                F(m.MeasuredSpeed.PairsPerSecondBatch64), m.MeasuredSpeed.ThreadsBatch64.ToString(CultureInfo.InvariantCulture), F(m.MeasuredSpeed.GflopsBatch64), F(m.MeasuredSpeed.FractionOfFmaPeak),
                policy is null ? "n/a" : F((double)policy.Parameters / m.Parameters), policy is null ? "n/a" : F(m.MeasuredSpeed.PairsPerSecondBatch64 / policy.MeasuredSpeed.PairsPerSecondBatch64)]));
        if (experiment is not null)
        {
            report.Section("Multi-teacher experiment", $"Whether distilling from both teachers beats either alone: each student row is the mean ± sample sd over seeds; compare the students with each other and with the teachers above them. {experiment.Split} split; the policy scorer itself (the labeller; its coarse overall score ties often and ties rank pessimistically) reaches truth NDCG@10 {F(experiment.PolicyScorerNdcg10)} and policy NDCG@10 {F(experiment.PolicyScorerPolicyNdcg10)} (the ceiling, 1 by definition). Apply AUC is over {experiment.ApplyViews} viewed pairs ({experiment.ApplyPositives} applied); the world's hidden true match, which no model sees, reaches {F(experiment.TruthApplyAuc)} on them. Mean ± sample sd over student seeds.");
            report.Table(["model", "seeds", .. MultiTeacherExperiment.TableKeys],
                experiment.Teachers.Select(r => (IReadOnlyList<string>)[r.Student, "", .. MultiTeacherExperiment.TableKeys.Select(k => F(r.Metrics[k]))])
                    .Concat(experiment.Summary.Select(s => (IReadOnlyList<string>)[$"student: {s.Student}", s.Seeds.ToString(CultureInfo.InvariantCulture),
                        .. MultiTeacherExperiment.TableKeys.Select(k => $"{F(s.Metrics[k].Mean)} ± {F(s.Metrics[k].Std)}")])));
        }
        else
        {
            report.Section("Multi-teacher experiment", "Not run here (it trains four students per seed). `lodestar match experiment --config configs/match/multi-teacher.json` trains both teachers on a larger policy-labelled set and the four students over three seeds; its measured table is in docs/job-matching.md.");
        }
        report.Section("Training curves", "One chart per model (their losses differ in kind and size, so each has its own scale): training and validation loss per epoch; " +
            "both should fall, and validation loss turning up while training loss falls is overfitting.");
        foreach (var m in evaluation.Models)
        {
            // A student's training loss (distillation) can be of another size than its validation loss: then two charts.
            foreach (var chart in SvgCharts.LineCharts($"{m.Role}: loss per epoch", "epoch", "loss",
            [
                new Series("training", [.. m.Epochs.Select(e => ((double)e.Epoch, e.TrainLoss ?? double.NaN))]),
                new Series("validation", [.. m.Epochs.Select(e => ((double)e.Epoch, e.Validation[MetricNames.Loss]))]),
            ]))
            {
                report.Chart(chart);
            }
        }
        report.Section("Quality against size and speed", $"Each model is a point: further up is a better ranking ({MatchMetrics.NdcgPolicy}), further left is smaller or faster. " +
            "The calibration chart puts each student's mean predicted apply probability per bin against the observed apply rate: on the dashed diagonal the probabilities can be taken at their word.");
        report.Chart(SvgCharts.Scatter("Quality vs size", "log10 parameters", MatchMetrics.NdcgPolicy,
            evaluation.Models.Select(m => new Series(m.Role, [(Math.Log10(m.Parameters), m.Metrics[MatchMetrics.NdcgPolicy])])).ToList()));
        report.Chart(SvgCharts.Scatter("Quality vs latency", "p50 latency ms (batch 1)", MatchMetrics.NdcgPolicy,
            evaluation.Models.Select(m => new Series(m.Role, [(m.MeasuredSpeed.LatencyP50Ms, m.Metrics[MatchMetrics.NdcgPolicy])])).ToList()));
        report.Chart(SvgCharts.Reliability("Apply calibration (temperature-scaled)",
            evaluation.Models.Where(m => m.Role != "policy-teacher").Select(m => new Series(m.Role, m.Reliability.Bins.Where(b => b.Count > 0).Select(b => (b.MeanPredicted, b.ObservedRate)).ToList())).ToList()));
        var path = Path.Combine(directory, "report.html");
        report.Write(path, new { evaluation, experiment }, RunJson.Options);
        return path;
    }

    private static string F(double value) => ReportNumber.Format(value);
}
