// Shared timing for `lodestar bench ...`: warm-up, then repeated samples of a call, reporting the median
// time per call and the managed bytes the calling thread allocated per call. Used by every benchmark.
using System.Diagnostics;
using Lodestar.Core;

namespace Lodestar.Bench;

/// <summary>Seconds per call (median and best of the samples) and managed bytes allocated per call.</summary>
public sealed record BenchTimingResult(double MedianSeconds, double BestSeconds, double AllocatedBytesPerCall, int Samples);

/// <summary>A call's rate against a reference rate sampled right after each of its samples: medians of both
/// rates and of their per-pair ratio (robust when other work on the machine comes and goes).</summary>
public sealed record PairedRate(double MedianRate, double MedianReferenceRate, double MedianRatio, BenchTimingResult Timing);

public static class BenchTiming
{
    /// <summary>Runs `call` until warm, then takes samples of about sampleSeconds each (at least minSamples,
    /// until budget is spent) and returns per-call figures.</summary>
    public static BenchTimingResult Measure(Action call, TimeSpan budget, int minSamples = 5, double sampleSeconds = 0.05) =>
        Sample(call, budget, minSamples, sampleSeconds, afterSample: null);

    /// <summary>Times `call` (workPerCall units each) in samples alternating with samples of `referenceRate`
    /// (units per second measured over the given time), pairing each call sample with the reference next to it.</summary>
    public static PairedRate MeasureAgainst(Action call, double workPerCall, Func<TimeSpan, double> referenceRate, TimeSpan budget,
        int minSamples = 7, double sampleSeconds = 0.1)
    {
        ArgumentNullException.ThrowIfNull(referenceRate);
        var rates = new List<double>();
        var references = new List<double>();
        var ratios = new List<double>();
        var timing = Sample(call, budget, minSamples, sampleSeconds, secondsPerCall =>
        {
            double rate = workPerCall / secondsPerCall;
            double reference = referenceRate(TimeSpan.FromSeconds(sampleSeconds));
            rates.Add(rate);
            references.Add(reference);
            ratios.Add(rate / reference);
        });
        return new PairedRate(Statistics.Median(rates), Statistics.Median(references), Statistics.Median(ratios), timing);
    }

    private static BenchTimingResult Sample(Action call, TimeSpan budget, int minSamples, double sampleSeconds,
        Action<double>? afterSample)
    {
        ArgumentNullException.ThrowIfNull(call);
        int callsPerSample = WarmUp(call, budget, sampleSeconds);
        var samples = new List<double>();
        var allocation = new AllocationTally();
        var total = Stopwatch.StartNew();
        while (samples.Count < minSamples || total.Elapsed < budget)
        {
            var reading = AllocationReading.Start();
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < callsPerSample; i++)
            {
                call();
            }
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds / callsPerSample;
            allocation.Add(reading, callsPerSample);
            samples.Add(seconds);
            afterSample?.Invoke(seconds);
        }
        return new BenchTimingResult(Statistics.Median(samples), samples.Min(), allocation.BytesPerCall, samples.Count);
    }

    private static int WarmUp(Action call, TimeSpan budget, double sampleSeconds)
    {
        // Tier-1 JIT, pooled buffers, pool threads, caches: at least two calls and ~10% of the budget.
        var warm = Stopwatch.StartNew();
        int warmCalls = 0;
        do
        {
            call();
            warmCalls++;
        }
        while (warmCalls < 2 || warm.Elapsed < budget * 0.1);
        double perCall = warm.Elapsed.TotalSeconds / warmCalls;
        return Math.Max(1, (int)(sampleSeconds / Math.Max(perCall, 1e-9)));
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
