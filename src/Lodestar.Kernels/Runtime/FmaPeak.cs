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
    private const int Chains = 12;

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

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double RunChains512(long ticks)
    {
        var chains = new Chains512();
        chains.Start();
        long iterations = 0;
        long deadline = Stopwatch.GetTimestamp() + ticks;
        do
        {
            chains.Run(IterationsPerCheck);
            iterations += IterationsPerCheck;
        }
        while (Stopwatch.GetTimestamp() < deadline);
        Volatile.Write(ref sink, chains.Sum());
        return iterations * Chains * Vector512<float>.Count * 2.0;
    }

    /// <summary>Twelve independent accumulators; Run keeps them in registers (it makes no calls).</summary>
    private struct Chains512
    {
        private Vector512<float> a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11;

        public void Start()
        {
            var step = Vector512.Create(1e-3f);
            a0 = Vector512.Create(1f);
            a1 = a0 + step; a2 = a1 + step; a3 = a2 + step; a4 = a3 + step; a5 = a4 + step;
            a6 = a5 + step; a7 = a6 + step; a8 = a7 + step; a9 = a8 + step; a10 = a9 + step; a11 = a10 + step;
        }

        public readonly float Sum() => Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);

        // x ← x·m + c with m < 1 converges instead of overflowing, so the loop runs for any duration.
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public void Run(int iterations)
        {
            var m = Vector512.Create(0.999999f);
            var c = Vector512.Create(1e-6f);
            Vector512<float> r0 = a0, r1 = a1, r2 = a2, r3 = a3, r4 = a4, r5 = a5, r6 = a6, r7 = a7, r8 = a8, r9 = a9, r10 = a10, r11 = a11;
            for (int i = 0; i < iterations; i++)
            {
                r0 = Vector512.FusedMultiplyAdd(r0, m, c);
                r1 = Vector512.FusedMultiplyAdd(r1, m, c);
                r2 = Vector512.FusedMultiplyAdd(r2, m, c);
                r3 = Vector512.FusedMultiplyAdd(r3, m, c);
                r4 = Vector512.FusedMultiplyAdd(r4, m, c);
                r5 = Vector512.FusedMultiplyAdd(r5, m, c);
                r6 = Vector512.FusedMultiplyAdd(r6, m, c);
                r7 = Vector512.FusedMultiplyAdd(r7, m, c);
                r8 = Vector512.FusedMultiplyAdd(r8, m, c);
                r9 = Vector512.FusedMultiplyAdd(r9, m, c);
                r10 = Vector512.FusedMultiplyAdd(r10, m, c);
                r11 = Vector512.FusedMultiplyAdd(r11, m, c);
            }
            a0 = r0; a1 = r1; a2 = r2; a3 = r3; a4 = r4; a5 = r5; a6 = r6; a7 = r7; a8 = r8; a9 = r9; a10 = r10; a11 = r11;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double RunChains256(long ticks)
    {
        var chains = new Chains256();
        chains.Start();
        long iterations = 0;
        long deadline = Stopwatch.GetTimestamp() + ticks;
        do
        {
            chains.Run(IterationsPerCheck);
            iterations += IterationsPerCheck;
        }
        while (Stopwatch.GetTimestamp() < deadline);
        Volatile.Write(ref sink, chains.Sum());
        return iterations * Chains * Vector256<float>.Count * 2.0;
    }

    /// <summary>Twelve independent accumulators; Run keeps them in registers (it makes no calls).</summary>
    private struct Chains256
    {
        private Vector256<float> a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11;

        public void Start()
        {
            var step = Vector256.Create(1e-3f);
            a0 = Vector256.Create(1f);
            a1 = a0 + step; a2 = a1 + step; a3 = a2 + step; a4 = a3 + step; a5 = a4 + step;
            a6 = a5 + step; a7 = a6 + step; a8 = a7 + step; a9 = a8 + step; a10 = a9 + step; a11 = a10 + step;
        }

        public readonly float Sum() => Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);

        // x ← x·m + c with m < 1 converges instead of overflowing, so the loop runs for any duration.
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public void Run(int iterations)
        {
            var m = Vector256.Create(0.999999f);
            var c = Vector256.Create(1e-6f);
            Vector256<float> r0 = a0, r1 = a1, r2 = a2, r3 = a3, r4 = a4, r5 = a5, r6 = a6, r7 = a7, r8 = a8, r9 = a9, r10 = a10, r11 = a11;
            for (int i = 0; i < iterations; i++)
            {
                r0 = Vector256.FusedMultiplyAdd(r0, m, c);
                r1 = Vector256.FusedMultiplyAdd(r1, m, c);
                r2 = Vector256.FusedMultiplyAdd(r2, m, c);
                r3 = Vector256.FusedMultiplyAdd(r3, m, c);
                r4 = Vector256.FusedMultiplyAdd(r4, m, c);
                r5 = Vector256.FusedMultiplyAdd(r5, m, c);
                r6 = Vector256.FusedMultiplyAdd(r6, m, c);
                r7 = Vector256.FusedMultiplyAdd(r7, m, c);
                r8 = Vector256.FusedMultiplyAdd(r8, m, c);
                r9 = Vector256.FusedMultiplyAdd(r9, m, c);
                r10 = Vector256.FusedMultiplyAdd(r10, m, c);
                r11 = Vector256.FusedMultiplyAdd(r11, m, c);
            }
            a0 = r0; a1 = r1; a2 = r2; a3 = r3; a4 = r4; a5 = r5; a6 = r6; a7 = r7; a8 = r8; a9 = r9; a10 = r10; a11 = r11;
        }
    }
}
