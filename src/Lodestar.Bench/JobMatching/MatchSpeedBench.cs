// Speed of a match model in inference mode (no tape): latency at batch 1 and pairs/s at batch 64, each
// with the kernels on one thread and on two, and achieved GFLOP/s from the FLOPs the forward executes.
using System.Diagnostics;
using Lodestar.Core;
using Lodestar.Kernels;
using Lodestar.Models.JobMatching;
using Lodestar.Nn;
using Lodestar.Tensors;
using Lodestar.Features.JobMatching;

namespace Lodestar.Bench.JobMatching;

/// <summary>One (batch size, kernel threads) measurement: best-of-passes seconds per batch.</summary>
public sealed record MatchSpeedPoint(int Batch, int Threads, double SecondsPerBatch, double PairsPerSecond, double Gflops, double FractionOfPeak);

/// <summary>
/// FmaPeak1/FmaPeak2: FP32 FMA peak of one thread and of two, measured in the same run. FractionOfPeak of a
/// point is its GFLOP/s over the peak of the whole machine (all its threads), the figure docs/job-matching.md states targets in.
/// </summary>
public sealed record MatchSpeedReport(string Name, long Parameters, double ForwardGflopPerPair, double FmaPeakMachine, IReadOnlyList<MatchSpeedPoint> Points)
{
    /// <summary>The faster thread count at a batch size.</summary>
    public MatchSpeedPoint Best(int batch) => Points.Where(p => p.Batch == batch).MinBy(p => p.SecondsPerBatch)
        ?? throw new InvalidOperationException($"no measurement at batch {batch}");
}

public static class MatchSpeedBench
{
    /// <summary>
    /// Times the model at each batch size and each thread count in `threads`, best of `passes` passes. One pass
    /// scores batchesPerPoint batches: that many·batch pairs taken evenly from the examples (cycled when too few),
    /// sorted by real length and cut into batches, each batch cut to its longest pair (as serving would bucket
    /// requests). GFLOP/s counts the real tokens' FLOPs only (MatchModel.ForwardFlops). KernelThreads.Count is
    /// restored afterwards.
    /// </summary>
    public static MatchSpeedReport Measure(string name, MatchModel model, IReadOnlyList<MatchExample> examples, double machinePeakGflops,
        int[] batchSizes, int[] threads, int passes = 3, double secondsPerPoint = 1.0, int batchesPerPoint = 8)
    {
        if (examples.Count == 0)
        {
            throw new ArgumentException("speed needs at least one example", nameof(examples));
        }
        var saved = KernelThreads.Count;
        var points = new List<MatchSpeedPoint>();
        double flopsPerPair = 0;
        try
        {
            GC.Collect();
            foreach (var batch in batchSizes)
            {
                var batches = Batches(model, examples, batch, batchesPerPoint);
                var flops = batches.Sum(b => model.ForwardFlops(b.Keep, batch));
                var pairs = batch * batches.Count;
                flopsPerPair = flops / pairs;
                foreach (var t in threads)
                {
                    KernelThreads.Count = t;
                    var graph = new Graph(recordGradients: false);
                    model.Eval();
                    Forward(model, graph, batches, batch);
                    // Enough repetitions per pass to fill about secondsPerPoint/passes, measured on a warm model.
                    var warm = Stopwatch.GetTimestamp();
                    Forward(model, graph, batches, batch);
                    var once = Math.Max(Stopwatch.GetElapsedTime(warm).TotalSeconds, 1e-6);
                    var repeats = (int)Math.Clamp(secondsPerPoint / passes / once, 1, 10_000);
                    var best = double.MaxValue;
                    for (var pass = 0; pass < passes; pass++)
                    {
                        var start = Stopwatch.GetTimestamp();
                        for (var r = 0; r < repeats; r++)
                        {
                            Forward(model, graph, batches, batch);
                        }
                        best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds / repeats);
                    }
                    var gflops = flops / best / 1e9;
                    points.Add(new MatchSpeedPoint(batch, t, best / batches.Count, pairs / best, gflops, gflops / machinePeakGflops));
                }
            }
        }
        finally
        {
            KernelThreads.Count = saved;
        }
        return new MatchSpeedReport(name, model.ParameterCount, flopsPerPair / 1e9, machinePeakGflops, points);
    }

    /// <summary>
    /// FP32 FMA peak of `threads` threads: the best of `trials` samples of 300 ms after a full garbage collection, so a
    /// background GC or a slow first sample does not lower it (a low peak would flatter every fraction of it).
    /// </summary>
    public static double PeakGflops(int threads, int trials = 3)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return Enumerable.Range(0, trials).Max(_ => FmaPeak.MeasureGflops(threads, TimeSpan.FromMilliseconds(300)));
    }

    /// <summary>`count` length-bucketed batches of `batch` pairs drawn evenly from the examples.</summary>
    public static List<(int[] Tokens, byte[] Keep, int Length)> Batches(MatchModel model, IReadOnlyList<MatchExample> examples, int batch, int count)
    {
        var pairs = batch * count;
        var stride = Math.Max(1, examples.Count / pairs);
        var sample = Enumerable.Range(0, pairs).Select(i => examples[(i * stride) % examples.Count]).ToList();
        var sorted = MatchScorer.ByLength(sample).Select(i => sample[i]).ToList();
        return Enumerable.Range(0, count).Select(b => MatchScorer.Pack(sorted, b * batch, batch, model.Config.MaxTokens)).ToList();
    }

    /// <summary>Latency percentiles (ms) of single pairs at the given kernel thread count.</summary>
    public static (double P50, double P99) Latency(MatchModel model, IReadOnlyList<MatchExample> examples, int threads, int singles = 200)
    {
        var saved = KernelThreads.Count;
        try
        {
            KernelThreads.Count = threads;
            var graph = new Graph(recordGradients: false);
            model.Eval();
            var latencies = new double[singles];
            for (var i = -5; i < singles; i++)
            {
                var single = MatchScorer.Pack(examples, Math.Max(0, i) % examples.Count, 1, model.Config.MaxTokens);
                var start = Stopwatch.GetTimestamp();
                Forward(model, graph, [single], 1);
                if (i >= 0)
                {
                    latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            }
            return (Statistics.Median(latencies), Statistics.Percentile(latencies, 0.99));
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    /// <summary>Mean seconds of a training step (forward, backward, AdamW) at the batch size, after one warm-up step.</summary>
    public static double TrainStepSeconds(MatchModel model, IReadOnlyList<MatchExample> examples, int batch, int steps)
    {
        var rows = Enumerable.Range(0, batch).Select(i => examples[i % examples.Count]).ToList();
        var (tokens, keep, length) = MatchScorer.Pack(rows, 0, batch, model.Config.MaxTokens);
        var labels = Enumerable.Range(0, batch).Select(i => i % 2).ToArray();
        var optimizer = new Lodestar.Nn.Optim.AdamW(model.Parameters(), new Lodestar.Nn.Optim.AdamWConfig { LearningRate = 1e-4f });
        var graph = new Graph();
        model.Train();
        double total = 0;
        for (var step = -1; step < steps; step++)
        {
            var start = Stopwatch.GetTimestamp();
            graph.Reset();
            var logits = model.Forward(graph, tokens, batch, length, keep);
            var loss = graph.CrossEntropy(graph.Contiguous(graph.Slice(logits, 1, 0, 2)), labels);
            model.ZeroGrad();
            graph.Backward(loss);
            optimizer.Step(1e-4f);
            if (step >= 0)
            {
                total += Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
        }
        model.Eval();
        return total / steps;
    }

    private static void Forward(MatchModel model, Graph graph, List<(int[] Tokens, byte[] Keep, int Length)> batches, int batch)
    {
        foreach (var (tokens, keep, length) in batches)
        {
            graph.Reset();
            model.Forward(graph, tokens, batch, length, keep);
        }
    }
}
