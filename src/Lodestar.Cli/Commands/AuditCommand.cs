// `lodestar audit fairness`: the fairness audit of feed ranker runs (creator exposure against true merit, proxy probes
// of protected attributes, counterfactual invariance) written as an HTML report with its JSON beside it.
using System.CommandLine;
using Lodestar.Core;
using Lodestar.Core.Progress;
using Lodestar.Evaluation.Fairness;
using Lodestar.Experiments.Audit;

namespace Lodestar.Cli;

public static class AuditCommand
{
    public static Command Create()
    {
        var command = new Command("audit", "Responsible-AI audits of trained models.");
        command.Subcommands.Add(Fairness());
        return command;
    }

    private static Command Fairness()
    {
        var runs = new Option<DirectoryInfo[]>("--runs") { Description = "Finished feed-ranking run directories to audit.", Required = true, AllowMultipleArgumentsPerToken = true };
        var world = new Option<DirectoryInfo?>("--world") { Description = "Audit on this generated world (split as each run's config says) instead of each run's own, which must be unchanged." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for one report per run: <run name>.html and <run name>.json.", Required = true };
        var attention = new Option<string>("--attention") { Description = "Attention by position: log (1/log2(2 + rank), DCG's) or geometric (patience 0.5, rank-biased precision's).", DefaultValueFactory = _ => "log" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the probes' halves and of the injected proxy's noise.", DefaultValueFactory = _ => 1 };
        var force = CliOptions.Force();
        var json = CliJson.CreateOption();
        var command = new Command("fairness", "Audit feed rankers: creator exposure per group against the exposure true merit earns (with popularity, the merit order and two injected biased rankers beside), probes of members' protected attributes, and proof by counterfactual that no input reads them.")
        {
            Options = { runs, world, output, attention, seed, force, json },
        };
        command.SetAction(parse =>
        {
            var model = parse.GetValue(attention) switch
            {
                "log" => PositionAttention.Logarithmic,
                "geometric" => new PositionAttention(AttentionModel.Geometric, 0.5),
                var other => throw new ArgumentException($"--attention: '{other}'; use log or geometric"),
            };
            var directory = parse.GetValue(output)!.FullName;
            var reports = new List<object>();
            foreach (var run in parse.GetValue(runs)!)
            {
                var path = Path.Combine(directory, Path.GetFileName(run.FullName.TrimEnd(Path.DirectorySeparatorChar)) + ".html");
                ExistingOutput.RefuseUnlessReplacing(path, parse.GetValue(force), "a report");
                var audit = FeedFairnessAudit.Run(run.FullName, parse.GetValue(world)?.FullName, model, new FairnessThresholds(), parse.GetValue(seed), ProgressReporter.ForStandardError());
                var jsonPath = FairnessReportWriter.Write(path, audit);
                reports.Add(new { Run = run.FullName, Report = path, Json = jsonPath, Flags = audit.Rankers.ToDictionary(r => r.Ranker, r => r.Flags), ProbesFlagged = audit.Probes.Where(p => p.Flagged).Select(p => $"{p.Representation}: {p.Attribute}={p.Value} {p.Probe.Auc:F3}"), audit.Invariance });
                if (!parse.GetValue(json))
                {
                    Console.Out.WriteLine($"{run.FullName}: {path}");
                    foreach (var ranker in audit.Rankers)
                    {
                        Console.Out.WriteLine($"  {ranker.Ranker}: {(ranker.Flags.Count == 0 ? "nothing flagged" : string.Join("; ", ranker.Flags))}");
                    }
                    foreach (var probe in audit.Probes.Where(p => p.Flagged))
                    {
                        Console.Out.WriteLine($"  probe flagged: {probe.Representation} {probe.Attribute}={probe.Value} AUC {probe.Probe.Auc:F3} [{probe.Probe.Low:F3}, {probe.Probe.High:F3}] vs reference {probe.Reference.Auc:F3}");
                    }
                    Console.Out.WriteLine($"  invariance: {audit.Invariance.InputsDiffering} of {audit.Invariance.InputsCompared} inputs and {audit.Invariance.ScoresDiffering} of {audit.Invariance.ScoresCompared} scores differ");
                }
            }
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(new { Reports = reports });
            }
            return 0;
        });
        return command;
    }
}
