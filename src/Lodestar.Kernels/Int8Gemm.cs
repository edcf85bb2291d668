// Int8 GEMM for quantized inference: u8 activations (M,K) × s8 weights (N,K) with exact s32 sums, and a
// float output using per-row activation scale/zero point and per-column weight scale (see Int8Quantize).
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lodestar.Kernels;

public static unsafe partial class Int8Gemm
{
    // Weights are packed as s16 pairs (vpmaddwd operands): a 1.5 MiB panel is about kc·nc of the fp32 GEMM.
    internal const int PanelInts = 384 * 1024;

    // A packed activation tile for depths up to 4096 (grows for deeper products).
    internal const int TypicalPackedAInts = MicroRows * 2048;

    internal const int MicroRows = 6;

    private const int MaxTilesPerItem = 16;

    /// <summary>Output columns of the register tile: 4 Vector512&lt;int&gt; or 2 Vector256&lt;int&gt; per row.</summary>
    internal static int MicroCols => Avx512BW.IsSupported && Vector512.IsHardwareAccelerated ? 64 : 16;

    /// <summary>True when a SIMD kernel runs (AVX-512BW or AVX2); otherwise the scalar twin's loops do.</summary>
    public static bool IsAccelerated => Avx2.IsSupported;

    /// <summary>C[i,j] = Σ_p A[i,p]·W[j,p] exactly; A is (M,K) u8 with lda, W is (N,K) s8 with ldw (nn.Linear
    /// layout), C is (M,N) s32 with ldc.</summary>
    public static void MultiplyInt32(int m, int n, int k, ReadOnlySpan<byte> a, int lda, ReadOnlySpan<sbyte> w, int ldw,
        Span<int> c, int ldc)
    {
        Validate(m, n, k, a.Length, lda, w.Length, ldw, c.Length, ldc);
        fixed (byte* pa = a)
        fixed (sbyte* pw = w)
        fixed (int* pc = c)
        {
            var output = new Int8Output { IntC = pc, Ldc = ldc };
            Run(m, n, k, pa, lda, pw, ldw, ref output);
        }
    }

    /// <summary>C[i,j] = aScale[i]·wScale[j]·Σ_p (A[i,p] − aZero[i])·W[j,p]: the float product of activations
    /// x ≈ aScale·(A − aZero) and weights ≈ wScale·W, with the integer sum exact.</summary>
    public static void Multiply(int m, int n, int k, ReadOnlySpan<byte> a, int lda, ReadOnlySpan<float> aScale,
        ReadOnlySpan<byte> aZero, ReadOnlySpan<sbyte> w, int ldw, ReadOnlySpan<float> wScale, Span<float> c, int ldc)
    {
        Validate(m, n, k, a.Length, lda, w.Length, ldw, c.Length, ldc);
        ValidateScales(m, n, aScale.Length, aZero.Length, wScale.Length);
        fixed (byte* pa = a, pz = aZero)
        fixed (sbyte* pw = w)
        fixed (float* pc = c, pas = aScale, pws = wScale)
        {
            var output = new Int8Output { FloatC = pc, Ldc = ldc, AScale = pas, AZero = pz, WScale = pws };
            Run(m, n, k, pa, lda, pw, ldw, ref output);
        }
    }

    internal static void Validate(int m, int n, int k, int aLength, int lda, int wLength, int ldw, int cLength, int ldc)
    {
        GemmShape.CheckDimensions(m, n, k);
        GemmShape.CheckMatrix("a", "lda", m, k, aLength, lda);
        GemmShape.CheckMatrix("w", "ldw", n, k, wLength, ldw);
        GemmShape.CheckMatrix("c", "ldc", m, n, cLength, ldc);
    }

    internal static void ValidateScales(int m, int n, int aScaleLength, int aZeroLength, int wScaleLength)
    {
        if (aScaleLength < m || aZeroLength < m)
        {
            throw new ArgumentException($"aScale and aZero need one entry per row of a ({m}); got {aScaleLength} and {aZeroLength}.", aScaleLength < m ? "aScale" : "aZero");
        }
        if (wScaleLength < n)
        {
            throw new ArgumentException($"wScale needs one entry per row of w ({n}); got {wScaleLength}.", "wScale");
        }
    }

    private static void Run(int m, int n, int k, byte* a, int lda, sbyte* w, int ldw, ref Int8Output output)
    {
        if (m == 0 || n == 0)
        {
            return;
        }
        if (!IsAccelerated)
        {
            RunScalar(m, n, k, a, lda, w, ldw, ref output);
            return;
        }
        int nr = MicroCols;
        int pairs = (k + 1) / 2;
        // Columns per panel: as many slivers as fit PanelInts (at least one); the column sums follow the slivers.
        int panelColumns = Math.Max(nr, PanelInts / Math.Max(1, pairs) / nr * nr);
        int nc = Math.Min(panelColumns, (n + nr - 1) / nr * nr);
        int* packedB = GemmBuffers.Int8PackedB(nc * pairs + nc);
        int threads = KernelThreads.IsInsideParallelLoop ? 1 : KernelThreads.Count;
        int rowTiles = (m + MicroRows - 1) / MicroRows;
        int rowItems = Math.Min(rowTiles, threads * (int)Math.Ceiling(rowTiles / (double)(threads * MaxTilesPerItem)));
        for (int j0 = 0; j0 < n; j0 += nc)
        {
            int cols = Math.Min(nc, n - j0);
            int slivers = (cols + nr - 1) / nr;
            int columnItems = rowItems >= threads ? 1 : Math.Min(slivers, (threads + rowItems - 1) / rowItems);
            var pack = new PackWeightsBody { W = w, Ldw = ldw, K = k, Pairs = pairs, J0 = j0, Cols = cols, Nr = nr, Packed = packedB, ColumnSums = packedB + nc * pairs };
            KernelThreads.For(slivers, ref pack);
            var compute = new Int8ComputeBody
            {
                A = a, Lda = lda, M = m, K = k, Pairs = pairs, J0 = j0, Cols = cols, Nr = nr, PackedB = packedB,
                ColumnSums = packedB + nc * pairs, Output = output, RowTiles = rowTiles, RowItems = rowItems,
                Slivers = slivers, ColumnItems = columnItems,
            };
            KernelThreads.For(rowItems * columnItems, ref compute);
        }
    }

    private static void RunScalar(int m, int n, int k, byte* a, int lda, sbyte* w, int ldw, ref Int8Output output)
    {
        int* sums = stackalloc int[1];
        for (int j = 0; j < n; j++)
        {
            int columnSum = 0;
            for (int p = 0; p < k; p++)
            {
                columnSum += w[(long)j * ldw + p];
            }
            for (int i = 0; i < m; i++)
            {
                int sum = 0;
                for (int p = 0; p < k; p++)
                {
                    sum += a[(long)i * lda + p] * w[(long)j * ldw + p];
                }
                sums[0] = sum;
                output.Write(i, j, 1, 1, sums, 1, &columnSum);
            }
        }
    }

    private struct PackWeightsBody : IParallelBody
    {
        public sbyte* W;
        public int* Packed, ColumnSums;
        public int Ldw, K, Pairs, J0, Cols, Nr;

        /// <summary>Sliver s: dst[q·nr + col] = (W[j, 2q], W[j, 2q+1]) as two s16 in one int (0 past K or N).</summary>
        public readonly void Invoke(int sliver)
        {
            int first = sliver * Nr;
            int* dst = Packed + (long)sliver * Pairs * Nr;
            for (int col = 0; col < Nr; col++)
            {
                int* d = dst + col;
                if (first + col >= Cols)
                {
                    for (int q = 0; q < Pairs; q++)
                    {
                        d[q * Nr] = 0;
                    }
                    continue;
                }
                sbyte* src = W + (long)(J0 + first + col) * Ldw;
                int sum = 0;
                int p = 0;
                for (int q = 0; q < K / 2; q++, p += 2)
                {
                    d[q * Nr] = (src[p + 1] << 16) + (ushort)src[p];
                    sum += src[p] + src[p + 1];
                }
                if ((K & 1) != 0)
                {
                    d[(Pairs - 1) * Nr] = (ushort)src[K - 1];
                    sum += src[K - 1];
                }
                ColumnSums[first + col] = sum;
            }
        }
    }

    private struct Int8ComputeBody : IParallelBody
    {
        public byte* A;
        public int* PackedB, ColumnSums;
        public Int8Output Output;
        public int Lda, M, K, Pairs, J0, Cols, Nr, RowTiles, RowItems, Slivers, ColumnItems;

        public readonly void Invoke(int item)
        {
            int rowItem = item / ColumnItems, columnItem = item % ColumnItems;
            int t0 = (int)((long)rowItem * RowTiles / RowItems), t1 = (int)((long)(rowItem + 1) * RowTiles / RowItems);
            int s0 = (int)((long)columnItem * Slivers / ColumnItems), s1 = (int)((long)(columnItem + 1) * Slivers / ColumnItems);
            int* packedA = GemmBuffers.Int8PackedA(Pairs * MicroRows);
            int* tile = stackalloc int[MicroRows * 64];
            for (int t = t0; t < t1; t++)
            {
                int i0 = t * MicroRows;
                int rows = Math.Min(MicroRows, M - i0);
                PackActivations(packedA, A + (long)i0 * Lda, Lda, rows, K);
                for (int s = s0; s < s1; s++)
                {
                    RunTile(Pairs, packedA, PackedB + (long)s * Pairs * Nr, tile);
                    int j = s * Nr;
                    Output.Write(i0, J0 + j, rows, Math.Min(Nr, Cols - j), tile, Nr, ColumnSums + j);
                }
            }
        }
    }

    /// <summary>dst[q·MR + r] = (A[r, 2q], A[r, 2q+1]) as two s16 in one int; rows past `rows` and the odd tail are 0.</summary>
    private static void PackActivations(int* dst, byte* a, int lda, int rows, int k)
    {
        int pairs = (k + 1) / 2;
        for (int r = 0; r < MicroRows; r++)
        {
            int* d = dst + r;
            if (r >= rows)
            {
                for (int q = 0; q < pairs; q++)
                {
                    d[q * MicroRows] = 0;
                }
                continue;
            }
            byte* src = a + (long)r * lda;
            int p = 0;
            for (int q = 0; q < k / 2; q++, p += 2)
            {
                d[q * MicroRows] = src[p] | (src[p + 1] << 16);
            }
            if ((k & 1) != 0)
            {
                d[(pairs - 1) * MicroRows] = src[k - 1];
            }
        }
    }
}
