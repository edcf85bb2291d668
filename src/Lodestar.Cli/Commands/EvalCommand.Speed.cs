// `lodestar eval match-speed`: inference speed of match model presets (random weights, synthetic pairs of
// the data set's token lengths) at batch 1 and 64 on one and two kernel threads, against the FMA peak.
using System.CommandLine;
using Lodestar.Models.JobMatching;
using Lodestar.Policy;
using Lodestar.Tensors;
using Lodestar.Training.JobMatching;
using Spectre.Console;

namespace Lodestar.Cli;

public static partial class EvalCommand
{
    private static Command MatchSpeed()
    {
        var models = new Option<string[]>("--models")
        {
            Description = $"Model presets to time ({string.Join(", ", MatchModelConfig.Presets.Keys)}).",
            DefaultValueFactory = _ => ["teacher", "student"],
            AllowMultipleArgumentsPerToken = true,
        };
        var vocab = new Option<int>("--vocab") { Description = "Token vocabulary size (the tokenizer's).", DefaultValueFactory = _ => 1024 };
        var fill = new Option<double>("--fill") { Description = "Mean share of the T token slots that hold real tokens (the rest is padding).", DefaultValueFactory = _ => 0.9 };
        var trainSteps = new Option<int>("--train-steps") { Description = "Also time this many training steps (batch 32) per model; 0 skips.", DefaultValueFactory = _ => 0 };
        var json = CliJson.CreateOption();
        var command = new Command("match-speed", "Pairs/s, GFLOP/s and share of the FMA peak of match model presets at batch 1 and 64, one and two kernel threads.");
        foreach (var option in new Option[] { models, vocab, fill, trainSteps, json })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var names = parse.GetValue(models)!;
            foreach (var name in names)
            {
                if (!MatchModelConfig.Presets.ContainsKey(name))
                {
                    throw new ArgumentException($"--models: unknown preset '{name}' (known: {string.Join(", ", MatchModelConfig.Presets.Keys)})");
                }
            }
            var fillShare = parse.GetValue(fill);
            if (fillShare is <= 0 or > 1)
            {
                throw new ArgumentException($"--fill = {fillShare} must be in (0, 1]");
            }
            var asJson = parse.GetValue(json);
            var layout = MatchDataBuilder.LayoutOf(PolicyLoader.LoadJobPolicy("job-matching.yaml").Document);
            var threads = Environment.ProcessorCount >= 2 ? new[] { 1, 2 } : [1];
            var peak = MatchSpeedBench.PeakGflops(Environment.ProcessorCount);
            var peakOne = MatchSpeedBench.PeakGflops(1);
            var table = new Table().AddColumns("model", "params", "GFLOP/pair", "batch", "threads", "ms/batch", "pairs/s", "GFLOP/s", "of peak");
            foreach (var name in names)
            {
                var config = MatchModelConfig.Presets[name];
                var model = new MatchModel(MatchRole.Student, config, parse.GetValue(vocab), layout);
                var examples = SyntheticExamples(config.MaxTokens, parse.GetValue(vocab), fillShare, 256);
                var report = MatchSpeedBench.Measure(name, model, examples, peak, [1, 64], threads);
                foreach (var p in report.Points)
                {
                    if (asJson)
                    {
                        CliJson.WriteLine(new
                        {
                            model = name, parameters = report.Parameters, gflop_per_pair = report.ForwardGflopPerPair, batch = p.Batch, threads = p.Threads,
                            ms_per_batch = p.SecondsPerBatch * 1e3, pairs_per_second = p.PairsPerSecond, gflops = p.Gflops, fraction_of_fma_peak = p.FractionOfPeak,
                            fma_peak_gflops = peak, fma_peak_one_thread_gflops = peakOne,
                        });
                    }
                    table.AddRow(name, $"{report.Parameters:N0}", $"{report.ForwardGflopPerPair:F4}", $"{p.Batch}", $"{p.Threads}", $"{p.SecondsPerBatch * 1e3:F3}",
                        $"{p.PairsPerSecond:F0}", $"{p.Gflops:F1}", $"{p.FractionOfPeak:P1}");
                }
                if (parse.GetValue(trainSteps) is > 0 and var steps)
                {
                    var seconds = MatchSpeedBench.TrainStepSeconds(model, examples, 32, steps);
                    if (asJson)
                    {
                        CliJson.WriteLine(new { model = name, parameters = report.Parameters, train_step_seconds_batch32 = seconds, train_steps = steps });
                    }
                    else
                    {
                        Console.Out.WriteLine($"{name}: {seconds:F3} s per training step at batch 32 (mean of {steps})");
                    }
                }
            }
            if (!asJson)
            {
                AnsiConsole.Write(table);
                Console.Out.WriteLine($"FMA peak {peak:F1} GFLOP/s on {Environment.ProcessorCount} threads, {peakOne:F1} on one (same run)");
            }
            return 0;
        });
        return command;
    }

    /// <summary>Seeded pairs with random token ids and lengths around fill·T (at least 8 real tokens).</summary>
    private static List<MatchExample> SyntheticExamples(int tokens, int vocab, double fill, int count)
    {
        var random = new SeededRandom(17);
        var examples = new List<MatchExample>(count);
        for (var i = 0; i < count; i++)
        {
            var ids = new int[tokens];
            var keep = new byte[tokens];
            var spread = Math.Min(fill, 1 - fill) * tokens;
            var length = (int)Math.Clamp(Math.Round((fill * tokens) + (((random.NextUInt64() % 2001) / 1000.0) - 1) * spread), 8, tokens);
            for (var t = 0; t < length; t++)
            {
                ids[t] = (int)(random.NextUInt64() % (ulong)vocab);
                keep[t] = 1;
            }
            examples.Add(new MatchExample(i + 1, i + 1, MatchSplit.Test, ids, keep, null, float.NaN, -1, float.NaN));
        }
        return examples;
    }
}
