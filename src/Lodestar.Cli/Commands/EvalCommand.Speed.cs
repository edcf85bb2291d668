// `lodestar bench match`: inference speed of match model presets (random weights, synthetic pairs of
// the data set's token lengths) at batch 1 and 64 (median of --rounds) on one and two kernel threads, against the FMA peak.
using System.CommandLine;
using Lodestar.Core;
using Lodestar.Models.JobMatching;
using Lodestar.Policy;
using Lodestar.Tensors;
using Lodestar.Bench.JobMatching;
using Lodestar.Training.JobMatching;
using Spectre.Console;
using Lodestar.Features.JobMatching;

namespace Lodestar.Cli;

public static partial class EvalCommand
{
    public static Command MatchSpeed()
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
        var rounds = RoundsOption();
        var profile = new Option<bool>("--profile") { Description = "Also break each model's batch-64 forward time down by op and GEMM shape (OpProfile; profiling adds overhead, so its total is not a speed figure)." };
        var json = CliJson.CreateOption();
        var command = new Command("match", "Job matching: pairs/s, GFLOP/s and share of the FMA peak of match model presets at batch 1 and (median of rounds) 64, one and two kernel threads.");
        foreach (var option in new Option[] { models, vocab, fill, trainSteps, rounds, profile, json })
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
            var built = names.Select(name =>
            {
                var config = MatchModelConfig.Presets[name];
                return (Name: name, Model: new MatchModel(MatchRole.Student, config, parse.GetValue(vocab), layout),
                    Examples: (IReadOnlyList<MatchExample>)SyntheticExamples(config.MaxTokens, parse.GetValue(vocab), fillShare, 256));
            }).ToList();
            var peak = MatchSpeedBench.PeakGflops(Environment.ProcessorCount);
            var peakOne = MatchSpeedBench.PeakGflops(1);
            var table = new Table().AddColumns("model", "params", "GFLOP/pair", "batch", "threads", "pairs/s", "GFLOP/s", "of peak", "min–max of peak", "rounds");
            foreach (var (name, model, examples) in built)
            {
                var report = MatchSpeedBench.Measure(name, model, examples, peak, [1], threads);
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
                    table.AddRow(name, $"{report.Parameters:N0}", $"{report.ForwardGflopPerPair:F4}", $"{p.Batch}", $"{p.Threads}", $"{p.PairsPerSecond:F0}", $"{p.Gflops:F1}", $"{p.FractionOfPeak:P1}", "", "1");
                }
            }
            var log = asJson ? Console.Error : Console.Out;
            foreach (var r in MatchSpeedProtocol.Run(built, 64, threads, parse.GetValue(rounds), log.WriteLine))
            {
                if (asJson)
                {
                    CliJson.WriteLine(new
                    {
                        model = r.Name, batch = r.Batch, threads = r.Threads, rounds = r.Rounds.Count, pairs_per_second = r.MedianPairsPerSecond, gflops = r.MedianGflops,
                        fraction_of_fma_peak = r.MedianFraction, fraction_of_fma_peak_min = r.MinFraction, fraction_of_fma_peak_max = r.MaxFraction,
                        fraction_of_fma_peak_rounds = r.Rounds.Select(x => x.FractionOfPeak).ToArray(), pairs_per_second_rounds = r.Rounds.Select(x => x.PairsPerSecond).ToArray(),
                        threads_rounds = r.Rounds.Select(x => x.Threads).ToArray(), fma_peak_rounds = r.Rounds.Select(x => x.PeakGflops).ToArray(),
                    });
                }
                table.AddRow(r.Name, "", "", $"{r.Batch}", $"{r.Threads}", $"{r.MedianPairsPerSecond:F0}", $"{r.MedianGflops:F1}", $"{r.MedianFraction:P1}",
                    $"{r.MinFraction:P1}–{r.MaxFraction:P1}", $"{r.Rounds.Count}");
            }
            foreach (var (name, model, examples) in built)
            {
                if (parse.GetValue(profile))
                {
                    PrintProfile(name, MatchSpeedProtocol.Profile(model, examples, 64), asJson);
                }
                if (parse.GetValue(trainSteps) is > 0 and var steps)
                {
                    var seconds = MatchSpeedBench.TrainStepSeconds(model, examples, 32, steps);
                    if (asJson)
                    {
                        CliJson.WriteLine(new { model = name, parameters = model.ParameterCount, train_step_seconds_batch32 = seconds, train_steps = steps });
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
                Console.Out.WriteLine($"FMA peak {peak:F1} GFLOP/s on {Environment.ProcessorCount} threads, {peakOne:F1} on one (before the rounds; each batch-64 round samples its own)");
            }
            return 0;
        });
        return command;
    }

    /// <summary>Profile rows with each row's share of the forward total; GEMM rows (nested in forward) with their GFLOP/s.</summary>
    private static void PrintProfile(string name, IReadOnlyList<Lodestar.Tensors.OpProfileRow> rows, bool asJson)
    {
        var forward = rows.Where(r => r.Section == "forward").Sum(r => r.Milliseconds);
        var gemm = rows.Where(r => r.Section == "gemm").Sum(r => r.Milliseconds);
        rows = [.. rows, new("forward", "outside GEMMs (attention softmax, norms, GELU, row ops)", 0, forward - gemm, 0)];
        var table = new Table().AddColumns("section", "op / GEMM shape", "calls", "ms", "share of forward", "GFLOP/s");
        foreach (var r in rows)
        {
            var gflops = r.Flops > 0 ? r.Flops / (r.Milliseconds * 1e6) : double.NaN;
            if (asJson)
            {
                CliJson.WriteLine(new { model = name, profile_section = r.Section, op = r.Name, calls = r.Calls, ms = r.Milliseconds, share_of_forward = r.Milliseconds / forward, gflops = double.IsNaN(gflops) ? (double?)null : gflops });
            }
            else
            {
                table.AddRow(r.Section, r.Name, $"{r.Calls}", $"{r.Milliseconds:F1}", $"{r.Milliseconds / forward:P1}", double.IsNaN(gflops) ? "" : $"{gflops:F1}");
            }
        }
        if (!asJson)
        {
            AnsiConsole.Write(table.Title($"{name}: batch-64 forward profile (OpProfile, current kernel threads)"));
        }
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
