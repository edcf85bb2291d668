// GEMM under the thread pool: one thread and two threads give bit-identical results (each C element is
// always summed in the same order), and a warm call allocates no managed memory on any thread.
using Lodestar.TestSupport;
using Lodestar.Kernels;

namespace Lodestar.Kernels.Tests;

[Collection(KernelThreadsCollection.Name)]
public class GemmThreadingTests
{
    [Theory]
    [InlineData(false, false, 300, 200, 300)]
    [InlineData(true, true, 7, 1100, 64)]
    [InlineData(false, true, 1, 700, 300)]
    [InlineData(false, false, 131, 1100, 800)]
    [InlineData(false, false, 300, 100, 300)]
    [InlineData(true, false, 250, 90, 900)]
    public void ThreadCountDoesNotChangeTheBits(bool ta, bool tb, int m, int n, int k)
    {
        var rng = new Random(11);
        float[] a = GemmTestData.Random(rng, m * k), b = GemmTestData.Random(rng, k * n);
        float[] one = new float[m * n], two = new float[m * n];
        using (new ThreadCountScope(1))
        {
            Gemm.Multiply(ta, tb, m, n, k, 1f, a, ta ? m : k, b, tb ? k : n, 0f, one, n);
        }
        using (new ThreadCountScope(2))
        {
            Gemm.Multiply(ta, tb, m, n, k, 1f, a, ta ? m : k, b, tb ? k : n, 0f, two, n);
        }
        Assert.Equal(one, two);
    }

    [Theory]
    [InlineData(256, 256, 256, 1)]
    [InlineData(8, 8, 8, 1)]
    [InlineData(64, 64, 64, 16)]
    [InlineData(130, 300, 270, 3)]
    public void WarmCallsAllocateNothing(int m, int n, int k, int batch)
    {
        var rng = new Random(4);
        float[] a = GemmTestData.Random(rng, batch * m * k), b = GemmTestData.Random(rng, batch * k * n);
        float[] c = new float[batch * m * n];
        using var scope = new ThreadCountScope(2);
        void Call() => Gemm.MultiplyBatched(false, true, batch, m, n, k, 1f, a, k, m * k, b, k, k * n, 0f, c, n, m * n);
        // Warm: pooled buffers on every thread, and tiered JIT settled (call counting starts after 100 ms).
        var warm = System.Diagnostics.Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 400)
        {
            Call();
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        long workersBefore = KernelThreads.WorkerAllocatedBytes;
        for (int i = 0; i < 5; i++)
        {
            Call();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, KernelThreads.WorkerAllocatedBytes - workersBefore);
    }

    [Fact]
    public void WarmInt8AndBf16CallsAllocateNothingOnTheCaller()
    {
        int m = 70, n = 130, k = 200;
        var rng = new Random(12);
        var qa = new byte[m * k];
        rng.NextBytes(qa);
        var qw = new sbyte[n * k];
        float[] aScale = new float[m], wScale = new float[n], c = new float[m * n];
        var aZero = new byte[m];
        var bf16 = new ushort[n * k];
        var a = GemmTestData.Random(rng, m * k);
        void Call()
        {
            Int8Gemm.Multiply(m, n, k, qa, k, aScale, aZero, qw, k, wScale, c, n);
            Bf16Gemm.Multiply(m, n, k, a, k, bf16, k, c, n);
            Bf16Gemm.MultiplyVector(n, k, bf16, k, a, c);
        }
        using var scope = new ThreadCountScope(2);
        var warm = System.Diagnostics.Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 300)
        {
            Call();
        }
        SteadyStateAllocation.AssertNone(Call, warmRuns: 0);
    }
}
