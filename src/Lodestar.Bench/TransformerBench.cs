// `lodestar bench train-step|infer`: the reference transformer (TransformerConfig.Base) timed on this machine
// (AdamW training steps at batch 32×128; batch-1 latency and batch-64 throughput), with managed bytes
// allocated per warm step. Figure names match bench/compare/torch_transformer.py for side-by-side ratios.
using System.CommandLine;
using System.Diagnostics;
using KernelThreads = Lodestar.Kernels.KernelThreads;
using Lodestar.Core;
using Lodestar.Nn;
using Lodestar.Nn.Optim;
using AdamW = Lodestar.Nn.Optim.AdamW;
using Lodestar.Tensors;

namespace Lodestar.Bench;

public static partial class TransformerBench
{
    private const int SequenceLength = 128;

    // Warm-up before timing (see WarmUp): enough time for tiered JIT to finish optimizing the hot path.
    private static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(1.5);

    public static IEnumerable<Command> Create(BenchOutput output) => [CreateTrainStep(output), CreateInfer(output)];

    private sealed record Figure(string Name, string Config, int Threads, int Batch, int SeqLen, int Runs,
        double? TokensPerS = null, double? MsPerStepP50 = null, double? LatencyMsP50 = null, double? LatencyMsP99 = null,
        long AllocatedBytesPerStep = 0);

    private static Option<string> ConfigOption() => new("--config")
    {
        Description = "Benchmark model: base (d=256, H=4, F=1024, L=4) or small (d=128, H=4, F=512, L=2); V=8192, T=128.",
        DefaultValueFactory = _ => "base",
    };

    private static Option<int?> ThreadsOption() => new("--threads") { Description = "Kernel threads (0 or absent: all cores)." };

    private static Command CreateTrainStep(BenchOutput output)
    {
        var config = ConfigOption();
        var threads = ThreadsOption();
        var batch = new Option<int>("--batch") { Description = "Sequences per step.", DefaultValueFactory = _ => 32 };
        var steps = new Option<int>("--steps") { Description = "Timed steps (after at least two warm-up steps).", DefaultValueFactory = _ => 5 };
        var profile = new Option<bool>("--profile")
        {
            Description = "After timing, run --steps more steps with per-op timing and print where a step's time goes (forward/backward op kinds, GEMM shapes).",
        };
        var json = output.CreateJsonOption();
        var command = new Command("train-step", "Time AdamW training steps (forward, backward, update) of the reference transformer.");
        foreach (var option in new Option[] { config, threads, batch, steps, profile, json })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var name = parse.GetValue(config)!;
            var model = BuildModel(name, BenchTiming.ResolveThreads(parse.GetValue(threads)));
            var trainer = new BenchTrainer(model, Positive(parse.GetValue(batch), "--batch"));
            var figure = TimeTraining(trainer, name, Positive(parse.GetValue(steps), "--steps"), parse.GetValue(json));
            Report(output, figure, parse.GetValue(json));
            if (parse.GetValue(profile))
            {
                ReportProfile(output, ProfileTraining(trainer, parse.GetValue(steps)), figure, parse.GetValue(json));
            }
            return 0;
        });
        return command;
    }

    private static Command CreateInfer(BenchOutput output)
    {
        var config = ConfigOption();
        var threads = ThreadsOption();
        var batch = new Option<int?>("--batch") { Description = "Only this batch size (default: batch 1 latency and batch 64 throughput)." };
        var runs = new Option<int>("--runs") { Description = "Timed batch-1 runs (batch > 1 runs a tenth as many, at least 3).", DefaultValueFactory = _ => 100 };
        var profile = new Option<bool>("--profile")
        {
            Description = "After timing, run each batch size --runs more times with the packed GEMMs timed and print their share of a forward pass.",
        };
        var json = output.CreateJsonOption();
        var command = new Command("infer", "Time inference (no tape, no gradients) of the reference transformer.");
        foreach (var option in new Option[] { config, threads, batch, runs, profile, json })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var name = parse.GetValue(config)!;
            var model = BuildModel(name, BenchTiming.ResolveThreads(parse.GetValue(threads)));
            model.FreezeForInference(); // evaluation mode with Linear weights packed once, as a server would
            var latencyRuns = Positive(parse.GetValue(runs), "--runs");
            int[] batches = parse.GetValue(batch) is { } only ? [Positive(only, "--batch")] : [1, 64];
            foreach (var size in batches)
            {
                var figure = TimeInference(model, name, size, size == 1 ? latencyRuns : Math.Max(3, latencyRuns / 10), parse.GetValue(json));
                Report(output, figure, parse.GetValue(json));
                if (parse.GetValue(profile))
                {
                    ReportProfile(output, ProfileInference(model, size, size == 1 ? latencyRuns : Math.Max(3, latencyRuns / 10)), figure, parse.GetValue(json));
                }
            }
            return 0;
        });
        return command;
    }

    private static TransformerClassifier BuildModel(string name, int threads)
    {
        var config = name switch
        {
            "base" => TransformerConfig.Base,
            "small" => TransformerConfig.Small,
            _ => throw new ArgumentException($"--config: unknown config '{name}' (expected base or small)"),
        };
        KernelThreads.Count = threads;
        return new TransformerClassifier(config with { MaxTokens = SequenceLength, Seed = 42 });
    }

    private static Figure TimeTraining(BenchTrainer trainer, string name, int steps, bool json)
    {
        var timing = WithStatus($"train-step {name}", json, () =>
        {
            WarmUp(trainer.Step, minCalls: 3);
            return BenchTiming.Measure(trainer.Step, TimeSpan.Zero, minSamples: steps);
        });
        return new Figure("train_step", name, KernelThreads.Count, trainer.Batch, SequenceLength, timing.Samples,
            TokensPerS: trainer.Batch * SequenceLength / timing.MedianSeconds, MsPerStepP50: timing.MedianSeconds * 1000,
            AllocatedBytesPerStep: (long)timing.AllocatedBytesPerCall);
    }

    private static Figure TimeInference(TransformerClassifier model, string name, int batch, int runs, bool json)
    {
        var (tokens, _) = RandomBatch(model.Config, batch, seed: 11);
        var graph = new Graph(recordGradients: false);
        void Run()
        {
            graph.Reset();
            model.Forward(graph, tokens, batch, SequenceLength);
        }
        if (batch > 1)
        {
            var timing = WithStatus($"infer {name} batch {batch}", json, () =>
            {
                WarmUp(Run, minCalls: 3);
                return BenchTiming.Measure(Run, TimeSpan.Zero, minSamples: runs);
            });
            return new Figure($"infer_b{batch}", name, KernelThreads.Count, batch, SequenceLength, timing.Samples,
                TokensPerS: batch * SequenceLength / timing.MedianSeconds, AllocatedBytesPerStep: (long)timing.AllocatedBytesPerCall);
        }
        // Latency percentiles need every call timed on its own.
        var (times, allocated) = WithStatus($"infer {name} batch 1", json, () => TimeEachCall(Run, runs));
        return new Figure("infer_b1", name, KernelThreads.Count, 1, SequenceLength, runs,
            LatencyMsP50: Statistics.Percentile(times, 0.5), LatencyMsP99: Statistics.Percentile(times, 0.99), AllocatedBytesPerStep: allocated);
    }

    /// <summary>Warm-up, then milliseconds of each of `runs` calls and
    /// managed bytes allocated per call.</summary>
    private static (double[] Milliseconds, long AllocatedPerRun) TimeEachCall(Action run, int runs)
    {
        WarmUp(run, minCalls: 50);
        var times = new double[runs];
        var allocation = new AllocationTally();
        for (var i = 0; i < runs; i++)
        {
            var reading = AllocationReading.Start();
            var start = Stopwatch.GetTimestamp();
            run();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            allocation.Add(reading);
        }
        return (times, (long)allocation.BytesPerCall);
    }

    /// <summary>Steady state before timing: the JIT promotes a method to optimized (tier-1) code only after ~30
    /// calls and a quiet spell of ~100 ms, so a few warm-up calls would time tier-0 code (measured: batch-1
    /// small p50 5.9 ms after 3 warm-up calls, 1.0 ms after one second of calls).</summary>
    private static void WarmUp(Action run, int minCalls)
    {
        var warm = Stopwatch.StartNew();
        for (var calls = 0; calls < minCalls || warm.Elapsed < WarmUpTime; calls++)
        {
            run();
        }
    }

    /// <summary>Says what is being timed (on stderr with --json, so stdout stays one JSON object per line), then runs
    /// it. No animated spinner: its redraw thread would preempt a kernel thread on a 2-core machine and show up
    /// as latency spikes in the figures it is measuring.</summary>
    private static T WithStatus<T>(string label, bool json, Func<T> work)
    {
        (json ? Console.Error : Console.Out).WriteLine($"{label}: warming up {WarmUpTime.TotalSeconds:F1} s, then timing…");
        return work();
    }

    private static (int[] Tokens, int[] Labels) RandomBatch(TransformerConfig config, int batch, ulong seed)
    {
        var random = new SeededRandom(seed);
        var tokens = new int[batch * SequenceLength];
        for (var i = 0; i < tokens.Length; i++)
        {
            tokens[i] = random.NextInt(config.VocabSize);
        }
        var labels = new int[batch];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = random.NextInt(config.NumClasses);
        }
        return (tokens, labels);
    }

    private static int Positive(int value, string option) =>
        value > 0 ? value : throw new ArgumentException($"{option} must be positive, got {value}");

    private static void Report(BenchOutput output, Figure figure, bool json)
    {
        if (json)
        {
            output.WriteJson(figure);
            return;
        }
        var speed = figure.TokensPerS is { } t ? $"{t:N0} tokens/s" : $"p50 {figure.LatencyMsP50:F2} ms, p99 {figure.LatencyMsP99:F2} ms";
        Console.WriteLine($"{figure.Name} {figure.Config} batch {figure.Batch}×{figure.SeqLen}, {figure.Threads} threads: {speed}, {figure.AllocatedBytesPerStep} bytes allocated per step");
    }
}
