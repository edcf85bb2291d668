// The machine's measured FP32 fused multiply-add throughput: the ceiling GEMM speed is reported against.
// Twelve independent accumulator chains cover the FMA latency (4 cycles on Zen 4) times its issue width.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lodestar.Kernels;

public static class FmaPeak
{
    // Iterations between clock reads; each iteration is 12 FMAs, so a check costs far below 1%.
    private const int IterationsPerCheck = 1 << 14;

    private static float sink;

    /// <summary>GFLOP/s (2 per lane per FMA) summed over `threads` threads each running FMAs for `duration`.</summary>
    public static double MeasureGflops(int threads, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        long ticks = (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var flops = new double[threads];
        var start = new Barrier(threads);
        var workers = new Thread[threads - 1];
        for (int t = 1; t < threads; t++)
        {
            int slot = t;
            workers[t - 1] = new Thread(() => flops[slot] = RunChains(start, ticks)) { IsBackground = true };
            workers[t - 1].Start();
        }
        long begin = Stopwatch.GetTimestamp();
        flops[0] = RunChains(start, ticks);
        foreach (var worker in workers)
        {
            worker.Join();
        }
        double seconds = Stopwatch.GetElapsedTime(begin).TotalSeconds;
        start.Dispose();
        return flops.Sum() / seconds / 1e9;
    }

    private static double RunChains(Barrier start, long ticks)
    {
        start.SignalAndWait();
        return Vector512.IsHardwareAccelerated ? RunChains512(ticks) : RunChains256(ticks);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double RunChains512(long ticks)
    {
        // x ← x·m + c with m < 1 converges instead of overflowing, so the loop runs at any length.
        var m = Vector512.Create(0.999999f);
        var c = Vector512.Create(1e-6f);
        Vector512<float> a0 = Vector512.Create(1f), a1 = a0 + c, a2 = a1 + c, a3 = a2 + c, a4 = a3 + c, a5 = a4 + c;
        Vector512<float> a6 = a5 + c, a7 = a6 + c, a8 = a7 + c, a9 = a8 + c, a10 = a9 + c, a11 = a10 + c;
        long iterations = 0;
        long deadline = Stopwatch.GetTimestamp() + ticks;
        do
        {
            for (int i = 0; i < IterationsPerCheck; i++)
            {
                a0 = Vector512.FusedMultiplyAdd(a0, m, c);
                a1 = Vector512.FusedMultiplyAdd(a1, m, c);
                a2 = Vector512.FusedMultiplyAdd(a2, m, c);
                a3 = Vector512.FusedMultiplyAdd(a3, m, c);
                a4 = Vector512.FusedMultiplyAdd(a4, m, c);
                a5 = Vector512.FusedMultiplyAdd(a5, m, c);
                a6 = Vector512.FusedMultiplyAdd(a6, m, c);
                a7 = Vector512.FusedMultiplyAdd(a7, m, c);
                a8 = Vector512.FusedMultiplyAdd(a8, m, c);
                a9 = Vector512.FusedMultiplyAdd(a9, m, c);
                a10 = Vector512.FusedMultiplyAdd(a10, m, c);
                a11 = Vector512.FusedMultiplyAdd(a11, m, c);
            }
            iterations += IterationsPerCheck;
        }
        while (Stopwatch.GetTimestamp() < deadline);
        var total = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        Volatile.Write(ref sink, Vector512.Sum(total));
        return iterations * 12.0 * Vector512<float>.Count * 2;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double RunChains256(long ticks)
    {
        var m = Vector256.Create(0.999999f);
        var c = Vector256.Create(1e-6f);
        Vector256<float> a0 = Vector256.Create(1f), a1 = a0 + c, a2 = a1 + c, a3 = a2 + c, a4 = a3 + c, a5 = a4 + c;
        Vector256<float> a6 = a5 + c, a7 = a6 + c, a8 = a7 + c, a9 = a8 + c, a10 = a9 + c, a11 = a10 + c;
        long iterations = 0;
        long deadline = Stopwatch.GetTimestamp() + ticks;
        do
        {
            for (int i = 0; i < IterationsPerCheck; i++)
            {
                a0 = Vector256.FusedMultiplyAdd(a0, m, c);
                a1 = Vector256.FusedMultiplyAdd(a1, m, c);
                a2 = Vector256.FusedMultiplyAdd(a2, m, c);
                a3 = Vector256.FusedMultiplyAdd(a3, m, c);
                a4 = Vector256.FusedMultiplyAdd(a4, m, c);
                a5 = Vector256.FusedMultiplyAdd(a5, m, c);
                a6 = Vector256.FusedMultiplyAdd(a6, m, c);
                a7 = Vector256.FusedMultiplyAdd(a7, m, c);
                a8 = Vector256.FusedMultiplyAdd(a8, m, c);
                a9 = Vector256.FusedMultiplyAdd(a9, m, c);
                a10 = Vector256.FusedMultiplyAdd(a10, m, c);
                a11 = Vector256.FusedMultiplyAdd(a11, m, c);
            }
            iterations += IterationsPerCheck;
        }
        while (Stopwatch.GetTimestamp() < deadline);
        var total = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        Volatile.Write(ref sink, Vector256.Sum(total));
        return iterations * 12.0 * Vector256<float>.Count * 2;
    }
}
