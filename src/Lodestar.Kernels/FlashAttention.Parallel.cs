// How fused attention spreads its (b,h) work items over threads; kept in one place so the kernel thread
// pool can take over without touching the kernels.
namespace Lodestar.Kernels;

internal interface IIndexedBody
{
    void Invoke(int index);
}

public static partial class FlashAttention
{
    private static int ParallelWidth => 1;

    private static void RunParallel<TBody>(int count, ref TBody body) where TBody : struct, IIndexedBody
    {
        for (int i = 0; i < count; i++)
        {
            body.Invoke(i);
        }
    }
}
