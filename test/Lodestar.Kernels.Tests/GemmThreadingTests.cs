// GEMM under the thread pool: one thread and two threads give bit-identical results (each C element is
// always summed in the same order), and a warm call allocates no managed memory on any thread.
using Lodestar.Kernels;

namespace Lodestar.Kernels.Tests;

[Collection(KernelThreadsCollection.Name)]
public class GemmThreadingTests
{
    [Theory]
    [InlineData(false, false, 300, 200, 300)]
    [InlineData(true, true, 7, 1100, 64)]
    [InlineData(false, true, 1, 700, 300)]
    public void ThreadCountDoesNotChangeTheBits(bool ta, bool tb, int m, int n, int k)
    {
        var rng = new Random(11);
        float[] a = GemmTestData.Random(rng, m * k), b = GemmTestData.Random(rng, k * n);
        float[] one = new float[m * n], two = new float[m * n];
        int saved = KernelThreads.Count;
        try
        {
            KernelThreads.Count = 1;
            Gemm.Multiply(ta, tb, m, n, k, 1f, a, ta ? m : k, b, tb ? k : n, 0f, one, n);
            KernelThreads.Count = 2;
            Gemm.Multiply(ta, tb, m, n, k, 1f, a, ta ? m : k, b, tb ? k : n, 0f, two, n);
        }
        finally
        {
            KernelThreads.Count = saved;
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
        int saved = KernelThreads.Count;
        KernelThreads.Count = 2;
        try
        {
            void Call() => Gemm.MultiplyBatched(false, true, batch, m, n, k, 1f, a, k, m * k, b, k, k * n, 0f, c, n, m * n);
            for (int i = 0; i < 3; i++)
            {
                Call();
            }
            long before = GC.GetAllocatedBytesForCurrentThread();
            long beforeAll = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 5; i++)
            {
                Call();
            }
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            // The pool workers' packing buffers: the process-wide count, with this collection running alone,
            // leaves room for the test runner's own bookkeeping but not for re-allocated panels (≥ 24 KiB each).
            long all = GC.GetTotalAllocatedBytes(precise: true) - beforeAll;
            Assert.True(all < 16 * 1024, $"{all} bytes allocated process-wide over 5 warm calls");
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }
}
