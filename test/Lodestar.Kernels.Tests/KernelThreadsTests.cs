// KernelThreads: every index runs exactly once, on several threads, without allocating per call, and a
// failure inside a body reaches the caller. FmaPeak returns a plausible positive figure.
using System.Diagnostics;
using Lodestar.Kernels;

namespace Lodestar.Kernels.Tests;

[Collection(KernelThreadsCollection.Name)]
public class KernelThreadsTests
{
    private struct CountingBody : IParallelBody
    {
        public int[] Hits;
        public int[] ThreadIds;

        public readonly void Invoke(int index)
        {
            Interlocked.Increment(ref Hits[index]);
            ThreadIds[index] = Environment.CurrentManagedThreadId;
        }
    }

    private struct SlowBody : IParallelBody
    {
        public int[] ThreadIds;

        public readonly void Invoke(int index)
        {
            ThreadIds[index] = Environment.CurrentManagedThreadId;
            var until = DateTime.UtcNow.AddMilliseconds(2);
            while (DateTime.UtcNow < until)
            {
                Thread.SpinWait(10);
            }
        }
    }

    private struct ThrowingBody : IParallelBody
    {
        public readonly void Invoke(int index)
        {
            if (index == 3)
            {
                throw new InvalidOperationException("body failed at 3");
            }
        }
    }

    private struct NestedBody : IParallelBody
    {
        public int[] Hits;

        public readonly void Invoke(int index)
        {
            var inner = new CountingBody { Hits = Hits, ThreadIds = new int[Hits.Length] };
            KernelThreads.For(Hits.Length, ref inner);
        }
    }

    private struct AllocationProbeBody : IParallelBody
    {
        public int CallerThread;
        public int Call;
        public long[] WorkerReadings;

        public readonly void Invoke(int index)
        {
            if (Environment.CurrentManagedThreadId != CallerThread)
            {
                WorkerReadings[Call] = GC.GetAllocatedBytesForCurrentThread();
            }
            // Long enough (16 items, about 0.3 ms a call) for a woken worker to join on a busy machine.
            long until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 50_000;
            while (Stopwatch.GetTimestamp() < until)
            {
                Thread.SpinWait(10);
            }
        }
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(2, 2)]
    [InlineData(2, 1000)]
    [InlineData(3, 7)]
    [InlineData(4, 513)]
    public void EveryIndexRunsExactlyOnce(int threads, int count)
    {
        using var scope = new ThreadCountScope(threads);
        for (int repeat = 0; repeat < 50; repeat++)
        {
            var body = new CountingBody { Hits = new int[count], ThreadIds = new int[count] };
            KernelThreads.For(count, ref body);
            Assert.All(body.Hits, h => Assert.Equal(1, h));
        }
    }

    [Fact]
    public void WorkIsSharedWithAPoolThread()
    {
        using var scope = new ThreadCountScope(2);
        var body = new SlowBody { ThreadIds = new int[64] };
        KernelThreads.For(64, ref body);
        Assert.True(body.ThreadIds.Distinct().Count() >= 2, "a 128 ms loop of 64 items ran on one thread only");
    }

    [Fact]
    public void FailureInABodyReachesTheCallerAndThePoolKeepsWorking()
    {
        using var scope = new ThreadCountScope(2);
        var throwing = new ThrowingBody();
        var ex = Assert.Throws<InvalidOperationException>(() => KernelThreads.For(100, ref throwing));
        Assert.Contains("failed at 3", ex.Message, StringComparison.Ordinal);
        var body = new CountingBody { Hits = new int[100], ThreadIds = new int[100] };
        KernelThreads.For(100, ref body);
        Assert.All(body.Hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void NestedLoopsRunInlineAndComplete()
    {
        using var scope = new ThreadCountScope(2);
        var hits = new int[10];
        var outer = new NestedBody { Hits = hits };
        KernelThreads.For(4, ref outer);
        Assert.All(hits, h => Assert.Equal(4, h));
    }

    [Fact]
    public void ForDoesNotAllocateOnceWarm()
    {
        using var scope = new ThreadCountScope(2);
        const int calls = 1000;
        var body = new AllocationProbeBody { CallerThread = Environment.CurrentManagedThreadId, WorkerReadings = new long[calls] };
        for (int i = 0; i < 100; i++)
        {
            KernelThreads.For(16, ref body);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (body.Call = 0; body.Call < calls; body.Call++)
        {
            KernelThreads.For(16, ref body);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        // A worker reads its own thread's allocation counter inside the body; if the pool allocated per
        // call on the worker, the readings would grow from call to call.
        long[] readings = body.WorkerReadings.Where(r => r != 0).ToArray();
        Assert.True(readings.Length > 0 || Environment.ProcessorCount == 1, "no pool worker ever joined a call");
        if (readings.Length > 0)
        {
            Assert.Equal(readings[0], readings[^1]);
        }
    }

    [Fact]
    public void CountBelowOneIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelThreads.Count = 0);
    }

    [Fact]
    public void FmaPeakIsPositiveForOneAndTwoThreads()
    {
        double one = FmaPeak.MeasureGflops(1, TimeSpan.FromMilliseconds(30));
        double two = FmaPeak.MeasureGflops(2, TimeSpan.FromMilliseconds(30));
        Assert.True(one > 1, $"single-thread peak {one} GFLOP/s");
        Assert.True(two > 1, $"two-thread peak {two} GFLOP/s");
    }
}

/// <summary>Sets KernelThreads.Count for a test and restores it on Dispose.</summary>
internal sealed class ThreadCountScope : IDisposable
{
    private readonly int saved = KernelThreads.Count;

    public ThreadCountScope(int threads) => KernelThreads.Count = threads;

    public void Dispose() => KernelThreads.Count = saved;
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelThreadsCollection
{
    public const string Name = "KernelThreads.Count changes";
}
