// Measures the embedded scorer's throughput (pairs per second on one thread) over a fixed list of
// pairs, repeated until a minimum time has passed; the target is 50,000 pairs/s.
using System.Diagnostics;
using Lodestar.Data.Schema;
using Lodestar.Policy.Labeling;

namespace Lodestar.Policy;

public sealed record ScorerThroughput(int DistinctPairs, long PairsScored, double Seconds, double PairsPerSecond, double AllocatedBytesPerPair, double Checksum);

public static class ScorerBenchmark
{
    public const double TargetPairsPerSecond = 50_000;

    public static ScorerThroughput Measure(CompiledPolicy<Member, Job> policy, IReadOnlyList<MatchPair> pairs, double minSeconds)
    {
        var scores = new int[policy.DimensionCount];
        var checksum = 0.0;
        foreach (var pair in pairs)
        {
            checksum += policy.Score(pair.Member, pair.Job, scores);
        }
        checksum = 0;
        long scored = 0;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed.TotalSeconds < minSeconds)
        {
            for (var i = 0; i < pairs.Count; i++)
            {
                checksum += policy.Score(pairs[i].Member, pairs[i].Job, scores);
            }
            scored += pairs.Count;
        }
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        return new ScorerThroughput(pairs.Count, scored, seconds, scored / seconds, (double)allocated / scored, checksum);
    }
}
