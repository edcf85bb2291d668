// Read bandwidth of main memory: threads sum disjoint slices of a buffer far larger than the caches, the access
// pattern of an exact index scan, so a scan's time can be put against its physical limit. Memory bandwidth on a
// shared machine moves by 1.5× from second to second, so a benchmark times one read pass beside each timed scan
// (interleaved rounds) and compares them round by round, rather than against one figure taken before.
using System.Diagnostics;
using Lodestar.Kernels;

namespace Lodestar.Bench;

public sealed class MemoryBandwidth
{
    private readonly float[] _buffer;
    private readonly int _threads;
    private readonly float[] _sums;

    /// <summary>A buffer of <paramref name="bytes"/> (a multiple of 4) read by <paramref name="threads"/> threads.</summary>
    public MemoryBandwidth(long bytes, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _buffer = GC.AllocateUninitializedArray<float>(checked((int)(bytes / sizeof(float))));
        _buffer.AsSpan().Fill(1f);
        _threads = threads;
        _sums = new float[threads];
    }

    /// <summary>Seconds one pass takes to read the first <paramref name="bytes"/> of the buffer with the threads.</summary>
    public double ReadSeconds(long bytes)
    {
        var floats = (int)Math.Min(_buffer.Length, bytes / sizeof(float));
        var saved = KernelThreads.Count;
        KernelThreads.Count = _threads;
        try
        {
            var start = Stopwatch.GetTimestamp();
            var body = new SumBody(_buffer, floats, _threads, _sums);
            KernelThreads.For(_threads, ref body);
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    private readonly struct SumBody(float[] buffer, int length, int parts, float[] sums) : IParallelBody
    {
        public void Invoke(int part)
        {
            var first = (int)((long)length * part / parts);
            var end = (int)((long)length * (part + 1) / parts);
            sums[part] = Reductions.SumOfSquares(buffer.AsSpan(first, end - first));
        }
    }
}
