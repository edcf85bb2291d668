// KernelThreads: every index runs exactly once, on several threads, without allocating per call, and a
// failure inside a body reaches the caller. FmaPeak returns a plausible positive figure.
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

    private struct EmptyBody : IParallelBody
    {
        public readonly void Invoke(int index)
        {
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
        int saved = KernelThreads.Count;
        KernelThreads.Count = threads;
        try
        {
            for (int repeat = 0; repeat < 50; repeat++)
            {
                var body = new CountingBody { Hits = new int[count], ThreadIds = new int[count] };
                KernelThreads.For(count, ref body);
                Assert.All(body.Hits, h => Assert.Equal(1, h));
            }
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    [Fact]
    public void WorkIsSharedWithAPoolThread()
    {
        int saved = KernelThreads.Count;
        KernelThreads.Count = 2;
        try
        {
            var body = new SlowBody { ThreadIds = new int[64] };
            KernelThreads.For(64, ref body);
            Assert.True(body.ThreadIds.Distinct().Count() >= 2, "a 128 ms loop of 64 items ran on one thread only");
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    [Fact]
    public void FailureInABodyReachesTheCallerAndThePoolKeepsWorking()
    {
        int saved = KernelThreads.Count;
        KernelThreads.Count = 2;
        try
        {
            var throwing = new ThrowingBody();
            var ex = Assert.Throws<InvalidOperationException>(() => KernelThreads.For(100, ref throwing));
            Assert.Contains("failed at 3", ex.Message, StringComparison.Ordinal);
            var body = new CountingBody { Hits = new int[100], ThreadIds = new int[100] };
            KernelThreads.For(100, ref body);
            Assert.All(body.Hits, h => Assert.Equal(1, h));
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    [Fact]
    public void NestedLoopsRunInlineAndComplete()
    {
        int saved = KernelThreads.Count;
        KernelThreads.Count = 2;
        try
        {
            var hits = new int[10];
            var outer = new NestedBody { Hits = hits };
            KernelThreads.For(4, ref outer);
            Assert.All(hits, h => Assert.Equal(4, h));
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    [Fact]
    public void ForDoesNotAllocateOnceWarm()
    {
        int saved = KernelThreads.Count;
        KernelThreads.Count = 2;
        try
        {
            var body = new EmptyBody();
            for (int i = 0; i < 100; i++)
            {
                KernelThreads.For(16, ref body);
            }
            long before = GC.GetAllocatedBytesForCurrentThread();
            long beforeAll = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 1000; i++)
            {
                KernelThreads.For(16, ref body);
            }
            long callerBytes = GC.GetAllocatedBytesForCurrentThread() - before;
            long allBytes = GC.GetTotalAllocatedBytes(precise: true) - beforeAll;
            Assert.Equal(0, callerBytes);
            // This collection runs alone, so the process-wide figure covers the pool workers: under one byte
            // per call leaves room only for runtime background noise, not for a per-call allocation.
            Assert.True(allBytes < 1000, $"{allBytes} bytes allocated process-wide over 1000 calls");
        }
        finally
        {
            KernelThreads.Count = saved;
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

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelThreadsCollection
{
    public const string Name = "KernelThreads.Count changes";
}
