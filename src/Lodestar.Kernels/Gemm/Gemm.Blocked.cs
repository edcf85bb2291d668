// The blocked GEMM driver (Goto & van de Geijn, "Anatomy of High-Performance Matrix Multiplication",
// 2008; BLIS's five loops) over an MR×NR register tile, with the work split over the threads per shape.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lodestar.Kernels;

public static unsafe partial class Gemm
{
    // Zen 4 (32 KiB L1d, 1 MiB L2 per core): a 6×kc A micro-panel (9 KiB at kc = 384) stays in L1 while the
    // kc×64 B slivers of the item's kc×nc block (768 KiB at nc = 512) stream from L2; C is revisited every kc
    // steps of k. Measured on the 2-core Zen 4: kc = 256 and 384 were within noise, 128 and 192 lost.
    internal const int MicroRows = 6;
    internal const int DepthBlock = 384;

    // Columns of op(B) an independent work item packs at a time (its B block stays in its core's L2).
    internal const int ItemColumnBlock = 512;

    // Work items per thread for independent items: enough to even out a slow thread, few enough that A is
    // not streamed too often (each column item reads all of A).
    internal const int ItemsPerThread = 2;

    // Below this many row tiles (384 rows) a product runs one independent item per thread.
    internal const int FewRowTiles = 64;

    // Row tiles per work item (96 rows): small enough that a descheduled thread leaves little to wait for.
    internal const int MaxTilesPerItem = 16;

    /// <summary>Columns of the register tile: four Vector512 or two Vector256 per row.</summary>
    internal static int MicroCols => Vector512.IsHardwareAccelerated ? 64 : 16;

    /// <summary>
    /// C = alpha·op(A)·op(B) + beta·C through packed panels. A plain A is read in place, so the product is
    /// cut into independent blocks of C (columns first), each packing its own B and running all of k
    /// with no barrier between threads. A transposed A must be packed, so it goes through the shared-panel
    /// driver instead, where each row item packs only its own rows of A and the threads share one B panel.
    /// </summary>
    internal static void MultiplyBlocked<TSource>(bool transposeA, int m, int n, int k, float alpha, float* a, int lda,
        ref TSource source, float beta, float* c, int ldc) where TSource : struct, IPanelSource
    {
        if (transposeA)
        {
            MultiplySharedPanel(m, n, k, alpha, a, lda, ref source, beta, c, ldc);
            return;
        }
        int nr = MicroCols;
        int threads = KernelThreads.IsInsideParallelLoop ? 1 : KernelThreads.Count;
        int rowTiles = (m + MicroRows - 1) / MicroRows;
        int slivers = (n + nr - 1) / nr;
        // Few rows (a weight gradient over a long K): a row item packs all of B, so one item per thread packs it
        // least often (256×256×4096: 0.70 → 0.75–0.86 of peak with one item per thread).
        int target = threads == 1 ? 1 : threads * (rowTiles < FewRowTiles ? 1 : ItemsPerThread);
        // Splitting columns packs nothing twice (A is read in place, each item packs only its B columns) but
        // each column item streams all of A, so columns are split only when every item keeps at least two
        // slivers to reuse an A tile over; otherwise rows are split and each row item packs all of B (4096×256:
        // the column split measured 0.68 of peak). Each C element is computed by one item in k order, so the
        // result does not depend on the thread count.
        int columnItems = slivers >= 2 * target ? target : 1;
        int rowItems = Math.Min(rowTiles, (target + columnItems - 1) / columnItems);
        var body = new ItemBody<TSource>
        {
            Source = source, A = a, Lda = lda, C = c, Ldc = ldc, Alpha = alpha, Beta = beta,
            M = m, N = n, K = k, Nr = nr, RowTiles = rowTiles, RowItems = rowItems, Slivers = slivers, ColumnItems = columnItems,
        };
        KernelThreads.For(rowItems * columnItems, ref body);
    }

    /// <summary>Row tiles [t0, t1) and column slivers [s0, s1) of work item `item` in a rowItems × columnItems grid.</summary>
    private static (int T0, int T1, int S0, int S1) ItemRange(int item, int rowTiles, int rowItems, int slivers, int columnItems)
    {
        int rowItem = item / columnItems, columnItem = item % columnItems;
        return ((int)((long)rowItem * rowTiles / rowItems), (int)((long)(rowItem + 1) * rowTiles / rowItems),
            (int)((long)columnItem * slivers / columnItems), (int)((long)(columnItem + 1) * slivers / columnItems));
    }

    private struct ItemBody<TSource> : IParallelBody where TSource : struct, IPanelSource
    {
        public TSource Source;
        public float* A, C;
        public int Lda, Ldc, M, N, K, Nr, RowTiles, RowItems, Slivers, ColumnItems;
        public float Alpha, Beta;

        public readonly void Invoke(int item)
        {
            var (t0, t1, s0, s1) = ItemRange(item, RowTiles, RowItems, Slivers, ColumnItems);
            float* packedA = GemmBuffers.PackedA();
            float* packedB = GemmBuffers.PackedB();
            int sliversPerBlock = ItemColumnBlock / Nr;
            for (int sb = s0; sb < s1; sb += sliversPerBlock)
            {
                int j0 = sb * Nr;
                int nc = Math.Min(Math.Min(s1, sb + sliversPerBlock) * Nr, N) - j0;
                int blockSlivers = (nc + Nr - 1) / Nr;
                for (int p0 = 0; p0 < K; p0 += DepthBlock)
                {
                    int kc = Math.Min(DepthBlock, K - p0);
                    for (int s = 0; s < blockSlivers; s++)
                    {
                        Source.PackSliver(packedB + (long)s * kc * Nr, p0, kc, j0 + s * Nr, Math.Min(Nr, nc - s * Nr), Nr);
                    }
                    float beta = p0 == 0 ? Beta : 1f;
                    RunTiles(packedA, packedB, t0, t1, p0, kc, j0, nc, beta);
                }
            }
        }

        private readonly void RunTiles(float* packedA, float* packedB, int t0, int t1, int p0, int kc, int j0, int nc, float beta)
        {
            for (int t = t0; t < t1; t++)
            {
                int i0 = t * MicroRows;
                int rows = Math.Min(MicroRows, M - i0);
                // Full tiles of A are read in place (six contiguous row streams); an edge tile is packed into
                // a zero-padded MR-interleaved tile.
                float* tileA = TileOfPlainA(A, Lda, packedA, i0, rows, p0, kc, out long rowStride, out int depthStride);
                for (int j = 0; j < nc; j += Nr)
                {
                    MicroKernel(kc, tileA, rowStride, depthStride, packedB + (long)j * kc, C + (long)i0 * Ldc + j0 + j, Ldc,
                        Alpha, beta, rows, Math.Min(Nr, nc - j));
                }
            }
        }
    }

    /// <summary>The A tile a micro-kernel reads for rows i0.. of a plain (not transposed) A: a full tile in
    /// place (six row streams of stride lda), an edge tile packed zero-padded and MR-interleaved.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* TileOfPlainA(float* a, int lda, float* packedA, int i0, int rows, int p0, int kc, out long rowStride, out int depthStride)
    {
        if (rows < MicroRows)
        {
            PackA(packedA, a, lda, false, i0, rows, p0, kc);
            rowStride = 1;
            depthStride = MicroRows;
            return packedA;
        }
        rowStride = lda;
        depthStride = 1;
        return a + ((long)i0 * lda) + p0;
    }
}
