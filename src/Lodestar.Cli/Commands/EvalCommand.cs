// `lodestar match eval --run R`: evaluates the policy teacher, click teacher and student found in a runs
// directory (golden agreement, NDCG@10 both ways, apply AUC and calibration, latency and throughput).
using System.CommandLine;
using Lodestar.Bench.JobMatching;
using Lodestar.Evaluation.Match;
using Lodestar.Models.JobMatching;
using Lodestar.Experiments.JobMatching;
using Lodestar.Training.JobMatching;
using Spectre.Console;

namespace Lodestar.Cli;

public static partial class EvalCommand
{
    public static Command Create()
    {
        var run = new Option<DirectoryInfo>("--run") { Description = "Runs directory holding policy-teacher/, click-teacher/ and student/ (any present are evaluated).", Required = true };
        var report = new Option<bool>("--report") { Description = "Also write report.html and report.json into the runs directory." };
        var rounds = RoundsOption();
        var json = CliJson.CreateOption();
        var command = new Command("eval", "Golden agreement, NDCG@10 (jobs for a member, members for a job), apply AUC/ECE, latency p50/p99 and pairs/s per model.");
        foreach (var option in new Option[] { run, report, rounds, json })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var directory = parse.GetValue(run)!.FullName;
            var runs = Enum.GetValues<MatchRole>().Select(r => (Role: r, Run: Path.Combine(directory, MatchModel.RoleName(r))))
                .Where(r => File.Exists(Path.Combine(r.Run, MatchInference.BestWeightsFile))).ToList();
            if (runs.Count == 0)
            {
                throw new ArgumentException($"{directory}: no trained policy-teacher/, click-teacher/ or student/ run found");
            }
            var data = MatchPipeline.Prepare(MatchInference.ReadConfig(runs[0].Run));
            var asJson = parse.GetValue(json);
            var evaluation = MatchSpeedProtocol.AddSpeed(MatchEvaluator.Evaluate(data, runs), data, parse.GetValue(rounds), (asJson ? Console.Error : Console.Out).WriteLine);
            var reportPath = parse.GetValue(report) ? MatchReportWriter.Write(directory, evaluation) : null;
            if (asJson)
            {
                foreach (var model in evaluation.Models)
                {
                    CliJson.WriteLine(Summary(model, evaluation));
                }
                return 0;
            }
            var shown = new[] { MatchMetrics.NdcgPolicy, MatchMetrics.NdcgTruth, MatchMetrics.NdcgTruthByJob, MatchMetrics.KappaGolden, MatchMetrics.AucApply, MatchMetrics.EceApply };
            var table = new Table().AddColumns(["model", "params", .. shown, "p50 ms", "p99 ms", "pairs/s @64", "GFLOP/s", "of peak (median)", "min–max"]);
            foreach (var m in evaluation.Models)
            {
                table.AddRow([m.Role, $"{m.Parameters:N0}", .. shown.Select(k => $"{m.Metrics[k]:F4}"),
                    $"{m.MeasuredSpeed.LatencyP50Ms:F2}", $"{m.MeasuredSpeed.LatencyP99Ms:F2}", $"{m.MeasuredSpeed.PairsPerSecondBatch64:F0}", $"{m.MeasuredSpeed.GflopsBatch64:F2}", $"{m.MeasuredSpeed.FractionOfFmaPeak:P1}",
                    m.MeasuredSpeed.Rounds is { } r ? $"{r.MinFraction:P1}–{r.MaxFraction:P1}" : ""]);
            }
            AnsiConsole.Write(table);
            Console.Out.WriteLine($"test: {evaluation.TestExamples} pairs, {evaluation.TestApplyExamples} with apply labels, {evaluation.GoldenPairs} golden pairs; median FMA peak {evaluation.FmaPeakGflops:F1} GFLOP/s; batch 64 = median of {parse.GetValue(rounds)} interleaved rounds");
            if (reportPath is not null)
            {
                Console.Out.WriteLine($"report: {reportPath}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>--rounds: rounds of the speed protocol (MatchSpeedProtocol); the median is reported with its spread.</summary>
    private static Option<int> RoundsOption() => new("--rounds")
    {
        Description = "Speed rounds at batch 64: each samples the FMA peak, times every model interleaved, samples the peak again; the median fraction of peak is reported with min, max and every round.",
        DefaultValueFactory = _ => 5,
    };

    /// <summary>One model's figures, with the student's losses relative to each teacher.</summary>
    public static object Summary(MatchModelReport m, MatchEvaluation evaluation)
    {
        var policy = evaluation.Models.FirstOrDefault(x => x.Role == "policy-teacher");
        var click = evaluation.Models.FirstOrDefault(x => x.Role == "click-teacher");
        return new
        {
            model = m.Role,
            m.Parameters,
            metrics = m.Metrics,
            temperature = 1 / m.Calibration.Scale,
            // (teacher − model) / teacher of the ranking figures, and teacher − model of the apply AUC.
            relative_loss_vs_policy_teacher = policy is null ? null
                : new[] { MatchMetrics.NdcgPolicy, MatchMetrics.NdcgTruth }.ToDictionary(k => k, k => (policy.Metrics[k] - m.Metrics[k]) / policy.Metrics[k]),
            loss_vs_click_teacher = click is null ? null
                : new[] { MatchMetrics.AucApply }.ToDictionary(k => k, k => click.Metrics[k] - m.Metrics[k]),
            parameter_ratio_policy_teacher = policy is null ? (double?)null : (double)policy.Parameters / m.Parameters,
            throughput_ratio_policy_teacher = policy is null ? (double?)null : m.MeasuredSpeed.PairsPerSecondBatch64 / policy.MeasuredSpeed.PairsPerSecondBatch64,
            latency_p50_ms = m.MeasuredSpeed.LatencyP50Ms,
            latency_p99_ms = m.MeasuredSpeed.LatencyP99Ms,
            pairs_per_second_batch64 = m.MeasuredSpeed.PairsPerSecondBatch64,
            gflops_batch64 = m.MeasuredSpeed.GflopsBatch64,
            fraction_of_fma_peak = m.MeasuredSpeed.FractionOfFmaPeak,
            fraction_of_fma_peak_min = m.MeasuredSpeed.Rounds?.MinFraction,
            fraction_of_fma_peak_max = m.MeasuredSpeed.Rounds?.MaxFraction,
            fraction_of_fma_peak_rounds = m.MeasuredSpeed.Rounds?.Rounds.Select(r => r.FractionOfPeak).ToArray(),
            pairs_per_second_rounds = m.MeasuredSpeed.Rounds?.Rounds.Select(r => r.PairsPerSecond).ToArray(),
            fma_peak_rounds = m.MeasuredSpeed.Rounds?.Rounds.Select(r => r.PeakGflops).ToArray(),
            fma_peak_gflops = evaluation.FmaPeakGflops,
            threads_batch1 = m.MeasuredSpeed.ThreadsBatch1,
            threads_batch64 = m.MeasuredSpeed.ThreadsBatch64,
        };
    }
}
