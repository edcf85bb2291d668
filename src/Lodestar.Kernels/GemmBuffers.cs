// Per-thread pinned scratch for the kernels' packed panels, 64-byte aligned, allocated at their largest
// size on a thread's first use (pool workers reserve theirs at start), so warm GEMM calls allocate nothing.
namespace Lodestar.Kernels;

internal static unsafe class GemmBuffers
{
    private const int Alignment = 64;

    /// <summary>Largest packed A block: MaxTilesPerItem row tiles × DepthBlock, plus the int8 kernels' block.</summary>
    public const int PackedAFloats = Gemm.MaxTilesPerItem * Gemm.MicroRows * Gemm.DepthBlock;

    /// <summary>Largest packed B panel: DepthBlock × ColumnBlock.</summary>
    public const int PackedBFloats = Gemm.DepthBlock * Gemm.ColumnBlock;

    [ThreadStatic] private static float[]? packedA;
    [ThreadStatic] private static float[]? packedB;

    /// <summary>Scratch for this thread's packed A block (PackedAFloats floats, valid until this thread asks again).</summary>
    public static float* PackedA() => Get(ref packedA, PackedAFloats);

    /// <summary>Scratch for a packed B panel (PackedBFloats floats) the calling thread shares with the pool for one product.</summary>
    public static float* PackedB() => Get(ref packedB, PackedBFloats);

    /// <summary>Allocates this thread's buffers now (pool workers call it once at start).</summary>
    public static void Reserve()
    {
        PackedA();
        PackedB();
    }

    private static float* Get(ref float[]? buffer, int floats)
    {
        // Pinned (POH) arrays never move, so the aligned raw pointer stays valid for the array's lifetime.
        buffer ??= GC.AllocateUninitializedArray<float>(floats + Alignment / sizeof(float), pinned: true);
        fixed (float* p = buffer)
        {
            return (float*)(((nint)p + Alignment - 1) & ~(nint)(Alignment - 1));
        }
    }
}
