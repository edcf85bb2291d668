// Per-thread pinned scratch for the kernels' packed panels, 64-byte aligned, allocated at their largest
// size on a thread's first use (pool workers reserve theirs at start), so warm GEMM calls allocate nothing.
namespace Lodestar.Kernels;

internal static unsafe class GemmBuffers
{
    private const int Alignment = 64;

    /// <summary>A work item's packed A tiles: MaxTilesPerItem × MicroRows × DepthBlock.</summary>
    public const int PackedAFloats = Gemm.MaxTilesPerItem * Gemm.MicroRows * Gemm.DepthBlock;

    /// <summary>Largest packed B panel: DepthBlock × ColumnBlock.</summary>
    public const int PackedBFloats = Gemm.DepthBlock * Gemm.ColumnBlock;

    [ThreadStatic] private static float[]? packedA;
    [ThreadStatic] private static float[]? packedB;
    [ThreadStatic] private static int[]? int8PackedA;
    [ThreadStatic] private static int[]? int8PackedB;

    /// <summary>Scratch for this thread's packed A block (PackedAFloats floats, valid until this thread asks again).</summary>
    public static float* PackedA() => Get(ref packedA, PackedAFloats);

    /// <summary>Scratch for a packed B panel (PackedBFloats floats): an independent item's own block, or the panel the calling thread shares with the pool for one product.</summary>
    public static float* PackedB() => Get(ref packedB, PackedBFloats);

    /// <summary>Int8 GEMM: one packed tile of k-pairs (grows when a deeper product first appears on this thread).</summary>
    public static int* Int8PackedA(int ints) => Get(ref int8PackedA, ints, grow: true);

    /// <summary>Int8 GEMM: a packed weight panel plus its column sums (grows like Int8PackedA).</summary>
    public static int* Int8PackedB(int ints) => Get(ref int8PackedB, ints, grow: true);

    /// <summary>Allocates this thread's buffers now (pool workers call it once at start).</summary>
    public static void Reserve()
    {
        PackedA();
        PackedB();
        Int8PackedA(Int8Gemm.TypicalPackedAInts);
        Int8PackedB(Int8Gemm.PanelInts);
    }

    private static T* Get<T>(ref T[]? buffer, int count, bool grow = false) where T : unmanaged
    {
        int needed = count + Alignment / sizeof(T);
        if (buffer is null || (grow && buffer.Length < needed))
        {
            // Pinned (POH) arrays never move, so the aligned raw pointer stays valid for the array's lifetime.
            buffer = GC.AllocateUninitializedArray<T>(needed, pinned: true);
        }
        fixed (T* p = buffer)
        {
            return (T*)(((nint)p + Alignment - 1) & ~(nint)(Alignment - 1));
        }
    }
}
