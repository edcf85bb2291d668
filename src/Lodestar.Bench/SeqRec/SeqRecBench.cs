// The speed of a sequential recommender serving many users: batch top-k over all items, timed the way
// `lodestar bench seqrec` reports it beside most-popular measured in the same process.
using System.Diagnostics;
using Lodestar.Core;
using Lodestar.Features.SeqRec;
using Lodestar.Models;

namespace Lodestar.Bench.SeqRec;

/// <summary>Times batch top-k over all items (history excluded) for a fixed set of histories: the median of
/// <c>repeats</c> passes after one warm-up pass, in wall-clock and in this process's CPU time (the second is
/// what a busy shared machine distorts least: users per CPU-second × cores bounds a quiet machine's rate).</summary>
public static class SeqRecBench
{
    public static (double UsersPerSecond, double UsersPerCpuSecond) Measure(
        ISequenceRecommender model, ReadOnlyMemory<int>[] histories, int k, int repeats, RankingOptions options)
    {
        TopKRecommender.Recommend(histories, model, k, options);
        var wall = new double[Math.Max(1, repeats)];
        var cpu = new double[wall.Length];
        using var process = Process.GetCurrentProcess();
        for (var r = 0; r < wall.Length; r++)
        {
            process.Refresh();
            var cpuStart = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            TopKRecommender.Recommend(histories, model, k, options);
            wall[r] = clock.Elapsed.TotalSeconds;
            process.Refresh();
            cpu[r] = (process.TotalProcessorTime - cpuStart).TotalSeconds;
        }
        return (histories.Length / Statistics.Median(wall), histories.Length / Math.Max(Statistics.Median(cpu), 1e-9));
    }
}
