// How fused attention spreads its work items over the kernel thread pool; kept in one place so the
// kernels themselves never mention threads.
namespace Lodestar.Kernels;

public static partial class FlashAttention
{
    private static int ParallelWidth => KernelThreads.Count;

    private static void RunParallel<TBody>(int count, ref TBody body) where TBody : struct, IParallelBody =>
        KernelThreads.For(count, ref body);
}
