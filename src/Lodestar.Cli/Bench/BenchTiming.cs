// Shared timing for `lodestar bench ...`: warm-up, then repeated samples of a call, reporting the median
// time per call and the managed bytes the calling thread allocated per call. Used by every benchmark.
using System.Diagnostics;

namespace Lodestar.Cli;

/// <summary>Seconds per call (median and best of the samples) and managed bytes allocated per call.</summary>
public sealed record BenchTimingResult(double MedianSeconds, double BestSeconds, double AllocatedBytesPerCall, int Samples);

public static class BenchTiming
{
    /// <summary>Runs `call` until warm, then takes samples of about sampleTime each (at least minSamples,
    /// until budget is spent) and returns per-call figures.</summary>
    public static BenchTimingResult Measure(Action call, TimeSpan budget, int minSamples = 5, double sampleSeconds = 0.05)
    {
        ArgumentNullException.ThrowIfNull(call);
        // Warm-up: tier-1 JIT, pooled buffers, pool threads, caches; at least two calls and ~10% of the budget.
        var warm = Stopwatch.StartNew();
        int warmCalls = 0;
        do
        {
            call();
            warmCalls++;
        }
        while (warmCalls < 2 || warm.Elapsed < budget * 0.1);
        double perCall = warm.Elapsed.TotalSeconds / warmCalls;
        int callsPerSample = Math.Max(1, (int)(sampleSeconds / Math.Max(perCall, 1e-9)));

        var samples = new List<double>();
        long allocated = 0;
        long calls = 0;
        var total = Stopwatch.StartNew();
        while (samples.Count < minSamples || total.Elapsed < budget)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < callsPerSample; i++)
            {
                call();
            }
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            calls += callsPerSample;
            samples.Add(seconds / callsPerSample);
        }
        samples.Sort();
        return new BenchTimingResult(samples[samples.Count / 2], samples[0], (double)allocated / calls, samples.Count);
    }

    /// <summary>Parses a thread count option: null or 0 means every core.</summary>
    public static int ResolveThreads(int? threads)
    {
        if (threads is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "--threads must be 0 (all cores) or positive.");
        }
        return threads is null or 0 ? Environment.ProcessorCount : threads.Value;
    }
}
