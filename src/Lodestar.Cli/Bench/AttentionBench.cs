// `lodestar bench attention`: fused attention speed (forward+backward) against this machine's FMA peak
// measured in the same run, and the block-sparse ranking mask against full attention of the same length.
using System.CommandLine;
using System.Diagnostics;
using Lodestar.Kernels;
using Spectre.Console;

namespace Lodestar.Cli;

public static class AttentionBench
{
    // FLOP convention: per allowed (query,key) pair, forward = 4·D (q·kᵀ and P·v), backward = 8·D
    // (dV, dP, dQ, dK); the backward's recomputation of q·kᵀ is not counted as useful work.
    private const string FlopConvention = "per allowed (query,key) pair: forward 4·D, backward 8·D; backward recompute of q·kᵀ not counted";

    public static Command Create()
    {
        var threadsOption = new Option<int>("--threads")
        {
            Description = "Kernel threads (default: all cores).",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var iterationsOption = new Option<int>("--iterations")
        {
            Description = "Timed calls per case; the median is reported.",
            DefaultValueFactory = _ => 15,
        };
        var json = CliJson.CreateOption();
        var command = new Command("attention", "Fused attention GFLOP/s vs the FMA peak, and the block-sparse ranking mask vs full attention.");
        command.Options.Add(threadsOption);
        command.Options.Add(iterationsOption);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            int threads = parse.GetValue(threadsOption);
            int iterations = parse.GetValue(iterationsOption);
            if (threads < 1) throw new ArgumentException($"--threads must be ≥ 1, got {threads}");
            if (iterations < 1) throw new ArgumentException($"--iterations must be ≥ 1, got {iterations}");
            Run(threads, iterations, parse.GetValue(json));
            return 0;
        });
        return command;
    }

    /// <summary>One JSON line of the attention benchmark.</summary>
    public sealed record AttentionResult(string Name, string Shape, string Mask, string Pass, int Threads, double Ms,
        double Gflops, double GflopsUseful, double GflopsDenseEquivalent, double PeakGflops, double RatioToPeak, string FlopConvention);

    /// <summary>The closing JSON line: how much faster the block mask is than full attention at the same T.</summary>
    public sealed record SpeedupResult(string Name, string Pass, int Threads, double FullMs, double BlockMs, double Speedup, double AllowedAreaRatio);

    private static void Run(int threads, int iterations, bool json)
    {
        KernelThreads.Count = threads;
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(json ? Console.Error : Console.Out) });
        const int batch = 1, heads = 4, tokens = 512, headDim = 64, context = 128;
        var shape = new AttentionShape(batch, heads, tokens, headDim);
        var blockMask = AttentionMask.ForBlock(BlockMask.SharedContextWithIsolatedCandidates(context, Enumerable.Repeat(1, tokens - context).ToArray(), causalContext: true));
        var cases = new (string Name, AttentionMask Mask, string MaskName, bool Backward)[]
        {
            ("attention_causal_fwd_bwd", AttentionMask.CausalOnly, "causal", true),
            ("attention_full_fwd_bwd", AttentionMask.None, "none", true),
            ("attention_block_fwd_bwd", blockMask, "context128_causal+384_isolated_candidates", true),
            ("attention_full_fwd", AttentionMask.None, "none", false),
            ("attention_block_fwd", blockMask, "context128_causal+384_isolated_candidates", false),
        };
        var buffers = new Buffers(shape, seed: 42);
        var results = new List<AttentionResult>();
        double peak = 0;
        console.Status().Start("measuring", status =>
        {
            status.Status($"FMA peak on {threads} thread(s)");
            peak = FmaPeak.MeasureGflops(threads, TimeSpan.FromMilliseconds(500));
            foreach (var (name, mask, maskName, backward) in cases)
            {
                status.Status(name);
                double ms = MedianMilliseconds(iterations, () => buffers.Run(mask, backward));
                double area = (double)mask.AllowedArea(0, tokens) * batch * heads;
                double flopsPerPair = (backward ? 12.0 : 4.0) * headDim;
                double useful = area * flopsPerPair / (ms * 1e6);
                double dense = (double)tokens * tokens * batch * heads * flopsPerPair / (ms * 1e6);
                results.Add(new AttentionResult(name, $"B={batch} H={heads} T={tokens} D={headDim}", maskName,
                    backward ? "forward+backward" : "forward", threads, ms, useful, useful, dense, peak, useful / peak, FlopConvention));
            }
        });
        var speedups = new List<SpeedupResult>();
        foreach (string pass in new[] { "fwd_bwd", "fwd" })
        {
            var full = results.Single(r => r.Name == $"attention_full_{pass}");
            var block = results.Single(r => r.Name == $"attention_block_{pass}");
            speedups.Add(new SpeedupResult("attention_block_vs_full_speedup", full.Pass, threads, full.Ms, block.Ms, full.Ms / block.Ms,
                (double)tokens * tokens / blockMask.AllowedArea(0, tokens)));
        }
        if (json)
        {
            results.ForEach(CliJson.WriteLine);
            speedups.ForEach(CliJson.WriteLine);
            return;
        }
        var table = new Table().AddColumns("case", "mask", "pass", "ms", "GFLOP/s useful", "GFLOP/s dense-eq.", "of peak");
        foreach (var r in results)
        {
            table.AddRow(r.Name, r.Mask, r.Pass, $"{r.Ms:F2}", $"{r.GflopsUseful:F1}", $"{r.GflopsDenseEquivalent:F1}", $"{r.RatioToPeak:P1}");
        }
        console.Write(table);
        console.WriteLine($"FMA peak ({threads} thread(s)): {peak:F1} GFLOP/s. {FlopConvention}.");
        foreach (var s in speedups)
        {
            console.WriteLine($"block mask vs full T={tokens} ({s.Pass}): {s.Speedup:F2}× faster (allowed area {s.AllowedAreaRatio:F2}× smaller)");
        }
    }

    private static double MedianMilliseconds(int iterations, Action run)
    {
        run();
        run();
        var times = new double[iterations];
        for (int i = 0; i < iterations; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return times[iterations / 2];
    }

    /// <summary>Seeded inputs and outputs of one (B,H,T,D) attention call, reused across iterations.</summary>
    private sealed class Buffers(AttentionShape shape, int seed)
    {
        private readonly float[] _q = Random(shape.Elements, seed);
        private readonly float[] _k = Random(shape.Elements, seed + 1);
        private readonly float[] _v = Random(shape.Elements, seed + 2);
        private readonly float[] _dOut = Random(shape.Elements, seed + 3);
        private readonly float[] _out = new float[shape.Elements];
        private readonly float[] _lse = new float[shape.Batch * shape.Heads * shape.Tokens];
        private readonly float[] _dq = new float[shape.Elements];
        private readonly float[] _dk = new float[shape.Elements];
        private readonly float[] _dv = new float[shape.Elements];

        public void Run(AttentionMask mask, bool backward)
        {
            FlashAttention.Forward(shape, _q, _k, _v, _out, _lse, mask);
            if (backward)
            {
                FlashAttention.Backward(shape, _q, _k, _v, _out, _lse, _dOut, _dq, _dk, _dv, mask);
            }
        }

        private static float[] Random(long length, int seed)
        {
            var random = new Random(seed);
            var values = new float[length];
            for (long i = 0; i < length; i++)
            {
                values[i] = (float)(random.NextDouble() * 2 - 1);
            }
            return values;
        }
    }
}
