// `lodestar match experiment`: the multi-teacher experiment, students from the policy teacher only, the click teacher only,
// both and none (labels only), over several seeds, in one table of policy NDCG@10, golden κ and apply AUC.
using System.CommandLine;
using Lodestar.Experiments.JobMatching;
using Lodestar.Training.JobMatching;
using Spectre.Console;
using Lodestar.Features.JobMatching;

namespace Lodestar.Cli;

public static class ExperimentCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config") { Description = "Experiment config JSON (configs/match/multi-teacher.json: world, teachers, student, seeds, split).", Required = true };
        var split = new Option<MatchSplit?>("--split") { Description = "Override the config's split: validation while tuning, test for the reported table." };
        var tune = new Option<bool>("--tune") { Description = "Instead of the table: try each distillation recipe of the config's `tuning` list on the validation split (both-teachers, first seed) beside the labels-only student." };
        var json = CliJson.CreateOption();
        var multi = new Command("experiment", "The multi-teacher experiment: train both teachers, then distill four students (policy teacher only, click teacher only, both, labels only) per seed and compare them.");
        foreach (var option in new Option[] { config, split, tune, json })
        {
            multi.Options.Add(option);
        }
        multi.SetAction(parse =>
        {
            var asJson = parse.GetValue(json);
            var experiment = MultiTeacherConfig.Load(parse.GetValue(config)!.FullName);
            if (parse.GetValue(split) is { } chosen)
            {
                experiment = experiment with { Split = chosen };
            }
            var log = asJson ? Console.Error : Console.Out;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            if (parse.GetValue(tune))
            {
                foreach (var (recipe, tuned) in MultiTeacherExperiment.Tune(experiment, log.WriteLine))
                {
                    if (asJson)
                    {
                        CliJson.WriteLine(new { recipe.Temperature, recipe.PolicyTeacherWeight, recipe.ClickTeacherWeight, recipe.HardLabelWeight });
                    }
                    else
                    {
                        Console.Out.WriteLine($"recipe: temperature {recipe.Temperature}, policy teacher {recipe.PolicyTeacherWeight}, click teacher {recipe.ClickTeacherWeight}, hard labels {recipe.HardLabelWeight}");
                    }
                    Print(tuned, asJson);
                }
            }
            else
            {
                Print(MultiTeacherExperiment.Run(experiment, log.WriteLine), asJson);
            }
            log.WriteLine($"experiment wall time {clock.Elapsed.TotalMinutes:F1} min");
            return 0;
        });
        return multi;
    }

    public static void Print(ExperimentResult result, bool asJson)
    {
        if (asJson)
        {
            CliJson.WriteLine(new
            {
                split = result.Split,
                policy_scorer_ndcg10 = result.PolicyScorerNdcg10,
                policy_scorer_policy_ndcg10 = result.PolicyScorerPolicyNdcg10,
                apply_views = result.ApplyViews,
                apply_positives = result.ApplyPositives,
                truth_apply_auc = result.TruthApplyAuc,
            });
            foreach (var row in result.Teachers.Concat(result.Rows))
            {
                CliJson.WriteLine(row);
            }
            foreach (var summary in result.Summary)
            {
                CliJson.WriteLine(summary);
            }
            return;
        }
        // The columns are MultiTeacherExperiment.TableKeys: ndcg@10/policy, ndcg@10/truth, kappa/golden, auc/apply.
        var keys = MultiTeacherExperiment.TableKeys;
        var table = new Table().AddColumns(["model", "seeds", .. keys]);
        table.AddRow("policy scorer (the labeller; the ceiling)", "", $"{result.PolicyScorerPolicyNdcg10:F4}", $"{result.PolicyScorerNdcg10:F4}", "", "");
        table.AddRow("the world's hidden true match (no model sees it)", "", "", "", "", $"{result.TruthApplyAuc:F4}");
        foreach (var row in result.Teachers)
        {
            table.AddRow([row.Student, "", .. keys.Select(k => $"{row.Metrics[k]:F4}")]);
        }
        foreach (var s in result.Summary)
        {
            table.AddRow([$"student: {s.Student}", $"{s.Seeds}", .. keys.Select(k => $"{s.Metrics[k].Mean:F4} ± {s.Metrics[k].Std:F4}")]);
        }
        table.Caption($"{result.Split} split; mean ± sample sd over student seeds; apply AUC over {result.ApplyViews} views, {result.ApplyPositives} applied");
        AnsiConsole.Write(table);
    }
}
