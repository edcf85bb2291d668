// The blocked GEMM driver (Goto & van de Geijn, "Anatomy of High-Performance Matrix Multiplication",
// 2008; BLIS's five loops): kc×nc panels of op(B) packed once and shared by the threads, mc×kc blocks of
// op(A) packed per thread, and an MR×NR register tile updated by the micro-kernel.
using System.Runtime.Intrinsics;

namespace Lodestar.Kernels;

public static unsafe partial class Gemm
{
    // Zen 4: a 6×kc A micro-panel (9 KiB at kc = 384) stays in the 32 KiB L1d while each kc×64 B sliver
    // streams from L2 (the kc×nc panel, 1.5 MiB, is shared by the cores through L3); C is revisited every kc
    // steps of k. Measured on the 2-core Zen 4 (1024³, 4096×256×1024): nc = 1024 beat 256 and 512 by 5-20
    // points of peak, kc = 256 and 384 were within noise of each other, 128 and 192 lost.
    internal const int MicroRows = 6;
    internal const int DepthBlock = 384;
    internal const int ColumnBlock = 1024;

    // Row tiles per work item (96 rows): small enough that a descheduled thread leaves little to wait for.
    private const int MaxTilesPerItem = 16;

    /// <summary>Columns of the register tile: four Vector512 or two Vector256 per row.</summary>
    internal static int MicroCols => Vector512.IsHardwareAccelerated ? 64 : 16;

    internal static void MultiplyBlocked<TSource>(bool transposeA, int m, int n, int k, float alpha, float* a, int lda,
        ref TSource source, float beta, float* c, int ldc) where TSource : struct, IPanelSource
    {
        int nr = MicroCols;
        int threads = KernelThreads.IsInsideParallelLoop ? 1 : KernelThreads.Count;
        int rowTiles = (m + MicroRows - 1) / MicroRows;
        int rowItems = threads * (int)Math.Ceiling(rowTiles / (double)(threads * MaxTilesPerItem));
        rowItems = Math.Min(rowItems, rowTiles);
        float* packedB = GemmBuffers.PackedB();
        for (int j0 = 0; j0 < n; j0 += ColumnBlock)
        {
            int nc = Math.Min(ColumnBlock, n - j0);
            int slivers = (nc + nr - 1) / nr;
            // When there are too few row tiles to feed every thread, the column slivers are split as well.
            int columnItems = rowItems >= threads ? 1 : Math.Min(slivers, (threads + rowItems - 1) / rowItems);
            for (int p0 = 0; p0 < k; p0 += DepthBlock)
            {
                int kc = Math.Min(DepthBlock, k - p0);
                var pack = new PackPanelBody<TSource>
                {
                    Source = source, Packed = packedB, P0 = p0, Kc = kc, J0 = j0, Nc = nc, Nr = nr,
                };
                KernelThreads.For(slivers, ref pack);
                var compute = new ComputeBody
                {
                    A = a, Lda = lda, TransposeA = transposeA, PackedB = packedB, C = c, Ldc = ldc,
                    Alpha = alpha, Beta = p0 == 0 ? beta : 1f, M = m, P0 = p0, Kc = kc, J0 = j0, Nc = nc, Nr = nr,
                    RowTiles = rowTiles, RowItems = rowItems, Slivers = slivers, ColumnItems = columnItems,
                };
                KernelThreads.For(rowItems * columnItems, ref compute);
            }
        }
    }

    private struct PackPanelBody<TSource> : IParallelBody where TSource : struct, IPanelSource
    {
        public TSource Source;
        public float* Packed;
        public int P0, Kc, J0, Nc, Nr;

        public readonly void Invoke(int sliver)
        {
            int j = sliver * Nr;
            Source.PackSliver(Packed + (long)sliver * Kc * Nr, P0, Kc, J0 + j, Math.Min(Nr, Nc - j), Nr);
        }
    }

    private struct ComputeBody : IParallelBody
    {
        public float* A, PackedB, C;
        public int Lda, Ldc, M, P0, Kc, J0, Nc, Nr, RowTiles, RowItems, Slivers, ColumnItems;
        public bool TransposeA;
        public float Alpha, Beta;

        public readonly void Invoke(int item)
        {
            int rowItem = item / ColumnItems, columnItem = item % ColumnItems;
            int t0 = (int)((long)rowItem * RowTiles / RowItems), t1 = (int)((long)(rowItem + 1) * RowTiles / RowItems);
            int s0 = (int)((long)columnItem * Slivers / ColumnItems), s1 = (int)((long)(columnItem + 1) * Slivers / ColumnItems);
            float* packedA = GemmBuffers.PackedA();
            for (int t = t0; t < t1; t++)
            {
                int i0 = t * MicroRows;
                int rows = Math.Min(MicroRows, M - i0);
                // Full tiles of a plain A are read in place (six contiguous row streams); a transposed A or
                // an edge tile is packed into a zero-padded MR-interleaved tile.
                float* tileA = A + (long)i0 * Lda + P0;
                long rowStride = Lda;
                int depthStride = 1;
                if (TransposeA || rows < MicroRows)
                {
                    PackA(packedA, A, Lda, TransposeA, i0, rows, P0, Kc);
                    tileA = packedA;
                    rowStride = 1;
                    depthStride = MicroRows;
                }
                for (int s = s0; s < s1; s++)
                {
                    int j = s * Nr;
                    float* tileC = C + (long)i0 * Ldc + J0 + j;
                    MicroKernel(Kc, tileA, rowStride, depthStride, PackedB + (long)s * Kc * Nr, tileC, Ldc, Alpha, Beta, rows,
                        Math.Min(Nr, Nc - j));
                }
            }
        }
    }

    /// <summary>Packs rows [i0, i0+rows) × depth [p0, p0+kc) of op(A) as dst[p·MR + r], zero-padding rows to MR.</summary>
    private static void PackA(float* dst, float* a, int lda, bool transposeA, int i0, int rows, int p0, int kc)
    {
        if (rows < MicroRows)
        {
            new Span<float>(dst, MicroRows * kc).Clear();
        }
        if (transposeA)
        {
            // op(A)[i, p] = A[p, i]: the MR values for one p are contiguous.
            for (int p = 0; p < kc; p++)
            {
                float* src = a + (long)(p0 + p) * lda + i0;
                float* d = dst + p * MicroRows;
                for (int r = 0; r < rows; r++)
                {
                    d[r] = src[r];
                }
            }
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            float* src = a + (long)(i0 + r) * lda + p0;
            float* d = dst + r;
            for (int p = 0; p < kc; p++)
            {
                d[p * MicroRows] = src[p];
            }
        }
    }
}
