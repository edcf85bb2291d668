// The ≥ 50%-of-peak measurement as a protocol: N rounds, each sampling the FMA peak before and after timing every
// model at one batch size, so a busy moment lowers the peak and the model together; the median round is reported.
using Lodestar.Core;
using Lodestar.Models.JobMatching;
using Lodestar.Tensors;
using Lodestar.Features.JobMatching;
using Lodestar.Training.JobMatching;

namespace Lodestar.Bench.JobMatching;

public static class MatchSpeedProtocol
{
    /// <summary>
    /// `rounds` rounds; in each, the FMA peak of all the machine's threads is sampled (MatchSpeedBench.PeakGflops), every
    /// model is timed at `batch` on each thread count (MatchSpeedBench.Measure, faster kept), and the peak is sampled again;
    /// the round's fractions are of the higher peak sample, never flattering. Models are interleaved within a round so
    /// that each sees the same load.
    /// </summary>
    public static List<MatchSpeedRounds> Run(IReadOnlyList<(string Name, MatchModel Model, IReadOnlyList<MatchExample> Examples)> models, int batch, int[] threads, int rounds,
        Action<string>? log = null)
    {
        if (rounds < 1)
        {
            throw new ArgumentException($"rounds = {rounds} must be at least 1", nameof(rounds));
        }
        if (models.Count == 0)
        {
            throw new ArgumentException("the speed protocol needs at least one model", nameof(models));
        }
        var results = models.Select(_ => new List<MatchSpeedRound>()).ToList();
        for (var round = 1; round <= rounds; round++)
        {
            var before = MatchSpeedBench.PeakGflops(Environment.ProcessorCount);
            var points = models.Select(m => MatchSpeedBench.Measure(m.Name, m.Model, m.Examples, before, [batch], threads).Best(batch)).ToList();
            var peak = Math.Max(before, MatchSpeedBench.PeakGflops(Environment.ProcessorCount));
            for (var i = 0; i < models.Count; i++)
            {
                results[i].Add(new MatchSpeedRound(round, peak, points[i].PairsPerSecond, points[i].Gflops, points[i].Threads));
            }
            log?.Invoke($"speed round {round}/{rounds}: peak {peak:F1} GFLOP/s; " + string.Join(", ", models.Select((m, i) => $"{m.Name} {results[i][^1].FractionOfPeak:P1}")));
        }
        return models.Select((m, i) => new MatchSpeedRounds(m.Name, batch, results[i])).ToList();
    }

    /// <summary>
    /// The evaluation with every model's speed measured on the pairs of its split as its run reads them: batch 64 by
    /// <see cref="Run"/> over <paramref name="rounds"/> rounds (medians reported, every round kept), batch-1 latency
    /// beside it, and the evaluation's FMA peak the median of the rounds' peaks.
    /// </summary>
    public static MatchEvaluation AddSpeed(MatchEvaluation evaluation, MatchDataSet data, int rounds = 5, Action<string>? log = null)
    {
        if (evaluation.Models.Count == 0)
        {
            return evaluation;
        }
        var models = evaluation.Models.Select(r => MatchInference.LoadBest(r.Run, MatchModel.ParseRole(r.Role), data.VocabSize, data.Layout)).ToList();
        var inputs = evaluation.Models.Select(r => MatchPipeline.ForRun(data, r.Run).In(r.Split).ToList()).ToList();
        var threads = Environment.ProcessorCount >= 2 ? new[] { 1, 2 } : [1];
        var measured = Run(evaluation.Models.Select((r, i) => (r.Role, models[i], (IReadOnlyList<MatchExample>)inputs[i])).ToList(), 64, threads, rounds, log);
        return evaluation with
        {
            FmaPeakGflops = measured[0].MedianPeak,
            Models = [.. evaluation.Models.Select((r, i) => r with { Speed = Speed(models[i], inputs[i], measured[i]) })],
        };
    }

    /// <summary>
    /// Latency p50/p99 at batch 1 at the faster of one and two kernel threads, beside the batch-64 medians of the
    /// protocol's rounds (GFLOP/s from the FLOPs the batch executes, MatchModel.ForwardFlops, over each round's peak).
    /// </summary>
    public static MatchSpeed Speed(MatchModel model, IReadOnlyList<MatchExample> examples, MatchSpeedRounds batch64)
    {
        var threads = Environment.ProcessorCount >= 2 ? new[] { 1, 2 } : [1];
        var single = MatchSpeedBench.Measure(model.Role.ToString(), model, examples, batch64.MedianPeak, [1], threads).Best(1);
        var (p50, p99) = MatchSpeedBench.Latency(model, examples, single.Threads);
        return new MatchSpeed(p50, p99, batch64.MedianPairsPerSecond, batch64.MedianGflops, batch64.MedianFraction)
        {
            ThreadsBatch64 = batch64.Threads,
            ThreadsBatch1 = single.Threads,
            Rounds = batch64,
        };
    }

    /// <summary>The profile row of whole forward passes; the time not in "gemm" rows is attention, norms, GELU and row ops.</summary>
    public const string WholePass = "whole pass";

    /// <summary>
    /// Wall time of the model's inference forward passes over length-bucketed batches: whole passes ("forward", WholePass)
    /// and each GEMM by shape ("gemm", OpProfile), summed over `repeats` passes after one warm pass, at the current
    /// kernel thread count.
    /// </summary>
    public static IReadOnlyList<OpProfileRow> Profile(MatchModel model, IReadOnlyList<MatchExample> examples, int batch, int batches = 8, int repeats = 10)
    {
        var data = MatchSpeedBench.Batches(model, examples, batch, batches);
        var graph = new Graph(recordGradients: false);
        model.Eval();
        Forward(model, graph, data, batch, null);
        var profile = new OpProfile();
        OpProfile.Current = profile;
        try
        {
            for (var r = 0; r < repeats; r++)
            {
                Forward(model, graph, data, batch, profile);
            }
        }
        finally
        {
            OpProfile.Current = null;
        }
        return profile.Rows();
    }

    private static void Forward(MatchModel model, Graph graph, List<(int[] Tokens, byte[] Keep, int Length)> data, int batch, OpProfile? profile)
    {
        foreach (var (tokens, keep, length) in data)
        {
            graph.Reset();
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            model.Forward(graph, tokens, batch, length, keep);
            profile?.Add("forward", WholePass, start);
        }
    }
}
