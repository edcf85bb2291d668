// The shared-panel GEMM driver for a transposed A (op(A) = Aᵀ, the weight-gradient shape): the threads
// pack one kc×nc panel of op(B) together, then each row item packs its own rows of Aᵀ and multiplies.
namespace Lodestar.Kernels;

public static unsafe partial class Gemm
{
    // The shared B panel: kc×nc floats (1.5 MiB at nc = 1024, shared by the cores through L3). Measured on
    // the 2-core Zen 4: nc = 1024 beat 256 and 512 for the shared panel.
    internal const int ColumnBlock = 1024;

    private static void MultiplySharedPanel<TSource>(int m, int n, int k, float alpha, float* a, int lda,
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
                    A = a, Lda = lda, PackedB = packedB, C = c, Ldc = ldc,
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
        public float Alpha, Beta;

        public readonly void Invoke(int item)
        {
            var (t0, t1, s0, s1) = ItemRange(item, RowTiles, RowItems, Slivers, ColumnItems);
            float* packedA = GemmBuffers.PackedA();
            long tileFloats = (long)MicroRows * Kc;
            // Row p of A holds op(A)[i0.., p] contiguously, so the item's tiles are packed together, one
            // sequential run of A per p (per tile, each p would touch a new cache line).
            PackTransposedTiles(packedA, A, Lda, t0 * MicroRows, Math.Min(M, t1 * MicroRows) - t0 * MicroRows, P0, Kc);
            for (int t = t0; t < t1; t++)
            {
                int i0 = t * MicroRows;
                float* tileA = packedA + (t - t0) * tileFloats;
                for (int s = s0; s < s1; s++)
                {
                    int j = s * Nr;
                    MicroKernel(Kc, tileA, 1, MicroRows, PackedB + (long)s * Kc * Nr, C + (long)i0 * Ldc + J0 + j, Ldc, Alpha, Beta,
                        Math.Min(MicroRows, M - i0), Math.Min(Nr, Nc - j));
                }
            }
        }
    }

    /// <summary>Packs op(A) = Aᵀ rows [i0, i0+rows) × depth [p0, p0+kc) as consecutive MR-row tiles
    /// dst[tile·MR·kc + p·MR + r], zero-padding the last tile to MR rows.</summary>
    private static void PackTransposedTiles(float* dst, float* a, int lda, int i0, int rows, int p0, int kc)
    {
        int full = rows / MicroRows;
        long tileFloats = (long)MicroRows * kc;
        // op(A)[i, p] = A[p, i]: row p of A holds the MR values of every tile for that p contiguously.
        for (int p = 0; p < kc; p++)
        {
            float* src = a + (long)(p0 + p) * lda + i0;
            float* d = dst + p * MicroRows;
            for (int t = 0; t < full; t++)
            {
                float* s = src + t * MicroRows;
                float* o = d + t * tileFloats;
                o[0] = s[0];
                o[1] = s[1];
                o[2] = s[2];
                o[3] = s[3];
                o[4] = s[4];
                o[5] = s[5];
            }
        }
        if (full * MicroRows < rows)
        {
            PackA(dst + full * tileFloats, a, lda, true, i0 + full * MicroRows, rows - full * MicroRows, p0, kc);
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
