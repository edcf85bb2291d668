// Read bandwidth of main memory: threads sum disjoint slices of a buffer far larger than the caches, the
// access pattern of an exact index scan, so a scan's time can be put against its physical limit.
using System.Diagnostics;
using Lodestar.Kernels;

namespace Lodestar.Bench;

public static class MemoryBandwidth
{
    /// <summary>Bytes read per second (in GB/s, 10⁹) by <paramref name="threads"/> threads over a 512 MB buffer, best of the passes in <paramref name="duration"/>.</summary>
    public static double MeasureGBs(int threads, TimeSpan duration)
    {
        const int Floats = 128 << 20;
        var buffer = new float[Floats];
        buffer.AsSpan().Fill(1f);
        var saved = KernelThreads.Count;
        KernelThreads.Count = threads;
        try
        {
            var best = 0.0;
            var clock = Stopwatch.StartNew();
            var sums = new float[threads];
            do
            {
                var start = Stopwatch.GetTimestamp();
                var body = new SumBody(buffer, threads, sums);
                KernelThreads.For(threads, ref body);
                var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                best = Math.Max(best, (double)Floats * sizeof(float) / seconds / 1e9);
            }
            while (clock.Elapsed < duration);
            return best;
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    private readonly struct SumBody(float[] buffer, int parts, float[] sums) : IParallelBody
    {
        public void Invoke(int part)
        {
            var first = (int)((long)buffer.Length * part / parts);
            var end = (int)((long)buffer.Length * (part + 1) / parts);
            sums[part] = Reductions.SumOfSquares(buffer.AsSpan(first, end - first));
        }
    }
}
