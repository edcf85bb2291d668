// `lodestar compress precision`: a trained job-matching run in lower precision against itself in float32 (the int8
// body with a float32 head LinkedIn serves, int8 everywhere, a bf16 body), judged on quality, calibration and separation.
using System.CommandLine;
using Lodestar.Compression.JobMatching;
using Lodestar.Evaluation.Match;
using Spectre.Console;

namespace Lodestar.Cli;

public static class CompressCommand
{
    public static Command Create()
    {
        var command = new Command("compress", "Go big, then go small: make a trained model cheaper to serve and measure what it costs.");
        command.Subcommands.Add(Precision());
        command.Subcommands.Add(Quantize());
        command.Subcommands.Add(Prune());
        command.Subcommands.Add(Experiment());
        return command;
    }

    private static Command Quantize()
    {
        var run = new Option<DirectoryInfo>("--run") { Description = "A trained job-matching run directory (policy-teacher, click-teacher or student).", Required = true };
        var precision = new Option<string>("--precision") { Description = "int8 (per-channel weights, input ranges calibrated on the validation split) or bf16.", DefaultValueFactory = _ => "int8" };
        precision.AcceptOnlyFromAmong([.. RunQuantizationResult.Precisions]);
        var head = new Option<bool>("--head") { Description = "Quantize the output head too (it stays float32 by default, as LinkedIn serves)." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory of the quantized model (best.safetensors as it runs, its feature spec, quantization.json).", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace a quantization result already in --out." };
        var json = CliJson.CreateOption();
        var command = new Command("quantize", "Write a match run's best model with its body in int8 or bf16 (the head in float32 unless --head) as it will run, " +
            "so a server or `match score` reading --out scores in that precision; measures its test figures beside float32's.")
        {
            Options = { run, precision, head, output, force, json },
        };
        command.SetAction(parse =>
        {
            var result = MatchRunQuantization.Quantize(parse.GetValue(run)!.FullName, parse.GetValue(precision)!, parse.GetValue(head), parse.GetValue(output)!.FullName,
                parse.GetValue(force), Console.Error.WriteLine);
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(result);
                return 0;
            }
            var keys = MatchRunPruning.FigureKeys;
            var table = new Table().AddColumns(["model", "checkpoint bytes", .. keys]);
            table.AddRow(["float32", $"{result.FloatBytes:N0}", .. keys.Select(k => $"{result.Before.Metrics[k]:F4}")]);
            table.AddRow([result.Precision + (result.Head ? " everywhere" : " body, float32 head"), $"{result.Bytes:N0}", .. keys.Select(k => $"{result.After.Metrics[k]:F4}")]);
            table.Caption($"{result.Role}: {result.Layers.Count} layers in {result.Precision}; written to {result.Out.EscapeMarkup()}");
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Prune()
    {
        var run = new Option<DirectoryInfo>("--run") { Description = "A trained job-matching run directory (policy-teacher, click-teacher or student).", Required = true };
        var heads = new Option<int>("--heads") { Description = "Attention heads to remove, the least important over all blocks (each block keeps one).", DefaultValueFactory = _ => 0 };
        var channels = new Option<int>("--channels") { Description = "MLP hidden channels to remove, the least important over all blocks (each block keeps one).", DefaultValueFactory = _ => 0 };
        var layers = new Option<int>("--layers") { Description = "Whole blocks to remove, the least important first (one stays).", DefaultValueFactory = _ => 0 };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory of the pruned model (best.safetensors, its feature spec, pruning.json).", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace a pruning result already in --out." };
        var json = CliJson.CreateOption();
        var command = new Command("prune", "Remove the least important attention heads, MLP channels and blocks of a match run's best model (first-order Taylor estimate of the " +
            "loss rise, on its validation split under its own training loss) and measure it on the test split beside the original, before any further training.")
        {
            Options = { run, heads, channels, layers, output, force, json },
        };
        command.SetAction(parse =>
        {
            var asJson = parse.GetValue(json);
            var amount = new PruningAmount(parse.GetValue(layers), parse.GetValue(heads), parse.GetValue(channels));
            var result = MatchRunPruning.Prune(parse.GetValue(run)!.FullName, amount, parse.GetValue(output)!.FullName, parse.GetValue(force), Console.Error.WriteLine);
            if (asJson)
            {
                CliJson.WriteLine(result);
                return 0;
            }
            var keys = MatchRunPruning.FigureKeys;
            var table = new Table().AddColumns(["model", "parameters", .. keys]);
            table.AddRow(["original", $"{result.Before.Parameters:N0}", .. keys.Select(k => $"{result.Before.Metrics[k]:F4}")]);
            table.AddRow(["pruned", $"{result.After.Parameters:N0}", .. keys.Select(k => $"{result.After.Metrics[k]:F4}")]);
            table.Caption(($"{result.Role}: removed blocks [{string.Join(", ", result.Removed.Layers)}], heads per block " +
                $"{string.Join(" ", result.Removed.Heads.Select(h => h.Length))}, MLP channels per block {string.Join(" ", result.Removed.Channels.Select(c => c.Length))}; " +
                $"ranked on {result.CalibrationPairs} validation pairs; written to {result.Out}").EscapeMarkup());
            AnsiConsole.Write(table);
            Console.Out.WriteLine("To distil it further, a run config's model: " + System.Text.Json.JsonSerializer.Serialize(result.Model, Lodestar.Training.Loop.RunJson.Options) +
                $" with \"init_from\": \"{result.Out}\"");
            return 0;
        });
        return command;
    }

    private static Command Experiment()
    {
        var config = new Option<FileInfo>("--config") { Description = "Ablation config JSON (configs/compress/distill-chain.json: world, teachers, student recipe, arms, seeds).", Required = true };
        var json = CliJson.CreateOption();
        var command = new Command("experiment", "Train each arm's chain of students from the policy teacher under each seed (finished runs are reused), then compare the " +
            "arms' final students on policy NDCG@10, apply AUC and ECE (mean ± sd) and time every model; writes report.html and report.json.")
        {
            Options = { config, json },
        };
        command.SetAction(parse =>
        {
            var asJson = parse.GetValue(json);
            var experiment = CompressionExperimentConfig.Load(parse.GetValue(config)!.FullName);
            var result = CompressionExperiment.Run(experiment, (asJson ? Console.Error : Console.Out).WriteLine);
            var report = CompressionReport.Write(experiment.Out, Path.GetFileNameWithoutExtension(parse.GetValue(config)!.Name), result);
            if (asJson)
            {
                CliJson.WriteLine(result);
                return 0;
            }
            var keys = CompressionExperiment.TableKeys;
            var table = new Table().AddColumns(["model", "parameters", .. keys, "ms for the timed pairs", "training s"]);
            var latency = result.Latencies.ToDictionary(l => l.Model);
            table.AddRow(["policy teacher", $"{result.PolicyTeacherParameters:N0}", .. keys.Select(k => $"{result.PolicyTeacher[k]:F4}"), $"{latency["policy teacher"].MedianMs:F1}", ""]);
            foreach (var arm in result.Arms)
            {
                table.AddRow([arm.Arm, $"{latency[arm.Arm].Parameters:N0}", .. keys.Select(k => $"{arm.Metrics[k].Mean:F4} ± {arm.Metrics[k].Std:F4}"),
                    $"{latency[arm.Arm].MedianMs:F1}", $"{arm.TrainingSeconds.Mean:F0}"]);
            }
            table.Caption($"{result.Split} split, mean ± sample sd over seeds {string.Join(", ", result.Seeds)}; {result.LatencyPairs} pairs in batches of {result.LatencyBatch}, " +
                $"median of {result.LatencyRounds} rounds, {result.Threads} threads, {result.Isa}; verdicts in {report.EscapeMarkup()}");
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Precision()
    {
        var run = new Option<DirectoryInfo>("--run") { Description = "A job-matching run directory (policy-teacher, click-teacher or student).", Required = true };
        var json = CliJson.CreateOption();
        var command = new Command("precision", "Score a match run's test split in float32, with an int8 body and a float32 head, in int8 everywhere (input ranges " +
            "calibrated on its validation split) and with a bf16 body: policy NDCG@10, apply AUC and ECE, and the share of pairs among each member's float32 top 10 that tie or swap.")
        {
            Options = { run, json },
        };
        command.SetAction(parse =>
        {
            var asJson = parse.GetValue(json);
            var comparison = MatchPrecision.Compare(parse.GetValue(run)!.FullName, Console.Error.WriteLine);
            if (asJson)
            {
                CliJson.WriteLine(comparison);
                return 0;
            }
            string[] shown = [MatchMetrics.NdcgPolicy, MatchMetrics.AucApply, MatchMetrics.EceApply];
            var table = new Table().AddColumns(["precision", .. shown, "top-10 pairs tied", "top-10 pairs swapped"]);
            foreach (var v in comparison.Variants)
            {
                table.AddRow([v.Name, .. shown.Select(k => $"{v.Metrics[k]:F4}"), $"{v.TiedShare:P2}", $"{v.SwappedShare:P2}"]);
            }
            table.Caption($"{comparison.Role} ({comparison.Parameters:N0} parameters): {comparison.TestPairs} test pairs of {comparison.Members} members; " +
                $"int8 input ranges from {comparison.CalibrationPairs} validation pairs; {comparison.Variants[0].TopPairs} top-10 pairs");
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
