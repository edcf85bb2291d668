// `lodestar audit fairness`: the fairness audit of feed ranker and retriever runs (creator exposure against true merit)
// and job matcher runs (member outcomes at equal true match quality), each with proxy probes of protected attributes
// and a counterfactual invariance check, written as an HTML report per run with its JSON beside it.
using System.CommandLine;
using Lodestar.Core;
using Lodestar.Core.Progress;
using Lodestar.Evaluation.Fairness;
using Lodestar.Experiments.Audit;
using Lodestar.Models.FeedRanking;
using Lodestar.Models.JobMatching;
using Lodestar.Training.Loop;

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
        var runs = new Option<DirectoryInfo[]>("--runs") { Description = "Finished run directories to audit: feed rankers (feed train), feed retrievers (retrieval train) and job matchers (match train); quickstart's models/* are all three.", Required = true, AllowMultipleArgumentsPerToken = true };
        var world = new Option<DirectoryInfo?>("--world") { Description = "Audit on this generated world instead of each run's own (a feed run's own world must be unchanged)." };
        var retrieve = new Option<int>("--retrieve") { Description = "Feed retrievers: posts each member's retrieval keeps (of the world's live posts that day).", DefaultValueFactory = _ => RetrievalFairnessAudit.DefaultRetrieved };
        var members = new Option<int>("--members") { Description = "Job matchers: members audited, evenly spaced by id (each scored on every job).", DefaultValueFactory = _ => 500 };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for one report per run: <run name>.html and <run name>.json.", Required = true };
        var attention = new Option<string>("--attention") { Description = "Attention by position: log (1/log2(2 + rank), DCG's) or geometric (patience 0.5, rank-biased precision's).", DefaultValueFactory = _ => "log" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the probes' halves and of the injected proxy's noise.", DefaultValueFactory = _ => 1 };
        var force = CliOptions.Force();
        var json = CliJson.CreateOption();
        var command = new Command("fairness", "Audit feed rankers and retrievers (creator exposure per group against the exposure true merit earns) and job matchers (how often each member group is shown well-matched jobs at equal true match quality), each beside the merit order and injected biased twins the thresholds must flag; probes of members' protected attributes; proof by counterfactual that no input reads them.")
        {
            Options = { runs, world, output, attention, retrieve, members, seed, force, json },
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
                var task = RunJson.ReadTask(run.FullName);
                var audit = task switch
                {
                    FeedRankerModel.Kind => FeedFairnessAudit.Run(run.FullName, parse.GetValue(world)?.FullName, model, new FairnessThresholds(), parse.GetValue(seed), ProgressReporter.ForStandardError()),
                    _ when task.StartsWith(MatchModel.KindPrefix, StringComparison.Ordinal) =>
                        JobFairnessAudit.Run(run.FullName, parse.GetValue(world)?.FullName, new FairnessThresholds(), parse.GetValue(seed), parse.GetValue(members), ProgressReporter.ForStandardError()),
                    RetrievalFairnessAudit.Task => RetrievalFairnessAudit.Run(run.FullName, parse.GetValue(world)?.FullName, new FairnessThresholds(), parse.GetValue(seed), parse.GetValue(retrieve), ProgressReporter.ForStandardError()),
                    _ => throw new ArgumentException($"{run.FullName}: a {task} run; the fairness audit reads {FeedRankerModel.Kind}, {RetrievalFairnessAudit.Task} and {MatchModel.KindPrefix}* runs"),
                };
                var jsonPath = FairnessReportWriter.Write(path, audit);
                var flags = audit.Rankers.Select(r => (Name: r.Ranker, r.Flags)).Concat(audit.Matchers.Select(m => (Name: m.Matcher, m.Flags))).ToList();
                reports.Add(new
                {
                    Run = run.FullName,
                    audit.Task,
                    Report = path,
                    Json = jsonPath,
                    Flags = flags.ToDictionary(f => f.Name, f => f.Flags),
                    ProbesFlagged = audit.Probes.Where(p => p.Flagged).Select(p => $"{p.Representation}: {p.Attribute}={p.Value} {p.Probe.Auc:F3}"),
                    audit.Invariance,
                });
                if (!parse.GetValue(json))
                {
                    Console.Out.WriteLine($"{run.FullName} ({audit.Task}): {path}");
                    foreach (var (name, found) in flags)
                    {
                        Console.Out.WriteLine($"  {name}: {(found.Count == 0 ? "nothing flagged" : string.Join("; ", found))}");
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
