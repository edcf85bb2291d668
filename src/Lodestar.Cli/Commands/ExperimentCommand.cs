// `lodestar experiment multi-teacher`: students from the policy teacher only, the click teacher only,
// both and none (labels only), in one table of policy NDCG@10, golden agreement and apply AUC.
using System.CommandLine;
using Lodestar.Training.JobMatching;
using Spectre.Console;

namespace Lodestar.Cli;

public static class ExperimentCommand
{
    public static Command Create()
    {
        var command = new Command("experiment", "Run comparative experiments.");
        var config = new Option<FileInfo>("--config") { Description = "Student run config JSON naming policy_teacher_run and click_teacher_run.", Required = true };
        var json = CliJson.CreateOption();
        var multi = new Command("multi-teacher", "Distill four students (policy teacher only, click teacher only, both, labels only) and compare them.");
        multi.Options.Add(config);
        multi.Options.Add(json);
        multi.SetAction(parse =>
        {
            var asJson = parse.GetValue(json);
            var student = MatchTrainingConfig.Load(parse.GetValue(config)!.FullName);
            var log = asJson ? Console.Error : Console.Out;
            var rows = MultiTeacherExperiment.Run(student, MatchPipeline.Prepare(student), log.WriteLine);
            Print(rows, asJson);
            return 0;
        });
        command.Subcommands.Add(multi);
        return command;
    }

    public static void Print(IReadOnlyList<ExperimentRow> rows, bool asJson)
    {
        if (asJson)
        {
            foreach (var row in rows)
            {
                CliJson.WriteLine(row);
            }
            return;
        }
        var table = new Table().AddColumns("student", "policy NDCG@10", "golden κ", "apply AUC");
        foreach (var row in rows)
        {
            table.AddRow(row.Student, $"{row.MemberNdcg10:F4}", $"{row.GoldenMeanKappa:F3}", $"{row.ApplyAuc:F4}");
        }
        AnsiConsole.Write(table);
    }
}
