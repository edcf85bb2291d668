// What `lodestar match eval` and `lodestar bench match` report of a match model's speed: latency at batch 1,
// and per round of the speed protocol (Lodestar.Bench) the FMA peak and the model's pairs/s and GFLOP/s at
// batch 64, with medians and spread. Plain figures; the measuring lives in Lodestar.Bench.
using Lodestar.Core;

namespace Lodestar.Training.JobMatching;

/// <summary>
/// Speed figures; ThreadsBatch1/ThreadsBatch64 are the kernel thread counts that were faster at each batch size. The
/// batch-64 figures are the medians of the rounds of MatchSpeedProtocol, whose every round is in Rounds.
/// </summary>
public sealed record MatchSpeed(double LatencyP50Ms, double LatencyP99Ms, double PairsPerSecondBatch64, double GflopsBatch64, double FractionOfFmaPeak)
{
    public int ThreadsBatch1 { get; init; } = 1;

    public int ThreadsBatch64 { get; init; } = 1;

    public MatchSpeedRounds? Rounds { get; init; }
}

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

