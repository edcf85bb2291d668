// `lodestar seqrec experiment`: one config under several seeds on one data file, each seed a normal run
// directory, then a table of test (and validation) metrics as mean ± std over the seeds, saved as summary.json.
using System.CommandLine;
using System.Globalization;
using Lodestar.Core;
using Lodestar.Experiments.SeqRec;
using Lodestar.Training.SeqRec;
using Lodestar.Training.Loop;
using Spectre.Console;
using Lodestar.Features.SeqRec;

namespace Lodestar.Cli;

public static class SeqRecExperimentCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Sequence file: one line per user, `uid item1 ... itemN` in time order.", Required = true };
        var config = new Option<string?>("--config") { Description = "JSON config (snake_case fields of SeqRecConfig); its seed is replaced by each of --seeds." };
        var seeds = new Option<int[]>("--seeds")
        {
            Description = "Seeds to train, e.g. --seeds 1 2 3.",
            DefaultValueFactory = _ => [1, 2, 3],
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string?>("--out") { Description = "Experiment directory (runs go to DIR/seed-S); default runs/seqrec-<data>-<model>-x<seeds>." };
        var json = CliJson.CreateOption();
        var command = new Command("experiment",
            "Train one config under several seeds and report mean ± std of every metric (finished seeds in --out are reused, interrupted ones resumed).")
        {
            Options = { data, config, seeds, output, json },
        };
        command.SetAction(parse =>
        {
            var resolved = parse.GetValue(config) is { } path ? SeqRecConfig.Load(path) : new SeqRecConfig();
            var seedList = parse.GetValue(seeds) ?? [];
            var splits = SeqRecData.Load(parse.GetValue(data)!);
            var directory = parse.GetValue(output)
                ?? Path.Combine("runs", $"seqrec-{Path.GetFileNameWithoutExtension(splits.Provenance.File)}-{SeqRecRun.Name(resolved.Model)}-x{string.Join('-', seedList)}");
            var asJson = parse.GetValue(json);
            var summary = SeqRecCommand.WithProgress(progress => SeqRecExperiment.Run(resolved, seedList, splits, directory, progress, (seed, record, reused) =>
            {
                if (asJson)
                {
                    CliJson.WriteLine(new
                    {
                        Name = "seqrec-seed", Run = SeqRecExperiment.RunDirectory(directory, seed), Seed = seed, Reused = reused,
                        record.BestEpoch, record.SecondsToBestEpoch, record.WallSeconds, Test = record.Test,
                    });
                }
            }));
            if (asJson)
            {
                CliJson.WriteLine(new
                {
                    Name = "seqrec-experiment", Out = directory, Model = SeqRecRun.Name(summary.Config.Model), Data = Path.GetFileName(summary.Data.Input(SeqRecRun.SequencesInput).Path),
                    summary.Seeds, summary.HistoryExcluded, summary.HistoryRule, summary.Test, summary.BestValidation, summary.BestEpoch, summary.SecondsToBestEpoch,
                });
                return 0;
            }
            AnsiConsole.MarkupLine($"[bold]{SeqRecRun.Name(summary.Config.Model)}[/] on {Path.GetFileName(summary.Data.Input(SeqRecRun.SequencesInput).Path)}, seeds {string.Join(", ", summary.Seeds)}, " +
                $"history rule {summary.HistoryRule.EscapeMarkup()}; summary in {Path.Combine(directory, SeqRecSummary.FileName).EscapeMarkup()}");
            var table = new Table().AddColumns("metric", "test mean ± std", "test min..max", "validation mean ± std");
            foreach (var (key, spread) in summary.Test)
            {
                var validation = summary.BestValidation[key];
                table.AddRow(key, $"{spread.Mean:F4} ± {spread.Std:F4}", $"{spread.Min:F4}..{spread.Max:F4}", $"{validation.Mean:F4} ± {validation.Std:F4}");
            }
            table.AddRow("best epoch", Format(summary.BestEpoch, "F1"), $"{summary.BestEpoch.Min}..{summary.BestEpoch.Max}", "");
            table.AddRow("s to best epoch", Format(summary.SecondsToBestEpoch, "F0"), $"{summary.SecondsToBestEpoch.Min:F0}..{summary.SecondsToBestEpoch.Max:F0}", "");
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static string Format(SeedSpread spread, string format) =>
        $"{spread.Mean.ToString(format, CultureInfo.InvariantCulture)} ± {spread.Std.ToString(format, CultureInfo.InvariantCulture)}";
}
