// The ≥ 50%-of-peak measurement as a protocol: N rounds, each sampling the FMA peak before and after timing every
// model at one batch size, so a busy moment lowers the peak and the model together; the median round is reported.
using Lodestar.Core;
using Lodestar.Models.JobMatching;
using Lodestar.Tensors;
using Lodestar.Features.JobMatching;

namespace Lodestar.Training.JobMatching;

/// <summary>One model in one round: the peak of that round (the higher of its samples before and after the models) and the faster thread count's figures.</summary>
public sealed record MatchSpeedRound(int Round, double PeakGflops, double PairsPerSecond, double Gflops, int Threads)
{
    public double FractionOfPeak => Gflops / PeakGflops;
}

/// <summary>A model's rounds; medians (mean of the middle two for an even count) with the spread beside them.</summary>
public sealed record MatchSpeedRounds(string Name, int Batch, IReadOnlyList<MatchSpeedRound> Rounds)
{
    public double MedianFraction => Statistics.Median(Rounds.Select(r => r.FractionOfPeak));

    public double MinFraction => Rounds.Min(r => r.FractionOfPeak);

    public double MaxFraction => Rounds.Max(r => r.FractionOfPeak);

    public double MedianPairsPerSecond => Statistics.Median(Rounds.Select(r => r.PairsPerSecond));

    public double MedianGflops => Statistics.Median(Rounds.Select(r => r.Gflops));

    public double MedianPeak => Statistics.Median(Rounds.Select(r => r.PeakGflops));

    /// <summary>The thread count most rounds chose (the lower on a tie).</summary>
    public int Threads => Rounds.GroupBy(r => r.Threads).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
}

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
