// Int8 GEMM for quantized inference: u8 activations (M,K) × s8 weights (N,K) with exact s32 sums, and a
// float output using per-row activation scale/zero point and per-column weight scale (see Int8Quantize).
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lodestar.Kernels;

public static unsafe partial class Int8Gemm
{
    // Packed weights: a 1.5 MiB panel, about the kc·nc of the fp32 GEMM.
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
        // Activations that fit 7 bits take the vpmaddubsw kernel (4 products per int lane, no saturation);
        // others take the exact s16-pair vpmaddwd kernel.
        int group = Avx512BW.IsSupported && Vector512.IsHardwareAccelerated && FitsSevenBits(a, lda, m, k) ? 4 : 2;
        int pairs = (k + group - 1) / group;
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
            var pack = new PackWeightsBody { W = w, Ldw = ldw, K = k, Group = group, Pairs = pairs, J0 = j0, Cols = cols, Nr = nr, Packed = packedB, ColumnSums = packedB + nc * pairs };
            KernelThreads.For(slivers, ref pack);
            var compute = new Int8ComputeBody
            {
                A = a, Lda = lda, M = m, K = k, Group = group, Pairs = pairs, J0 = j0, Cols = cols, Nr = nr, PackedB = packedB,
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
        public int Ldw, K, Group, Pairs, J0, Cols, Nr;

        /// <summary>Sliver s: dst[q·nr + col] holds W[j, q·g .. q·g+g) as g s16 (g = 2) or g s8 (g = 4) in one int, 0 past K or N.</summary>
        public readonly void Invoke(int sliver)
        {
            int first = sliver * Nr;
            int* dst = Packed + (long)sliver * Pairs * Nr;
            int bits = 32 / Group;
            uint mask = (1u << bits) - 1;
            for (int col = 0; col < Nr; col++)
            {
                int* d = dst + col;
                bool inside = first + col < Cols;
                sbyte* src = inside ? W + (long)(J0 + first + col) * Ldw : null;
                int sum = 0;
                for (int q = 0; q < Pairs; q++)
                {
                    uint packed = 0;
                    for (int e = 0, p = q * Group; e < Group && p < K && inside; e++, p++)
                    {
                        packed |= ((uint)src[p] & mask) << (e * bits);
                        sum += src[p];
                    }
                    d[q * Nr] = (int)packed;
                }
                if (inside)
                {
                    ColumnSums[first + col] = sum;
                }
            }
        }
    }

    private struct Int8ComputeBody : IParallelBody
    {
        public byte* A;
        public int* PackedB, ColumnSums;
        public Int8Output Output;
        public int Lda, M, K, Group, Pairs, J0, Cols, Nr, RowTiles, RowItems, Slivers, ColumnItems;

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
                PackActivations(packedA, A + (long)i0 * Lda, Lda, rows, K, Group);
                for (int s = s0; s < s1; s++)
                {
                    RunTile(Pairs, packedA, PackedB + (long)s * Pairs * Nr, tile, Group == 4);
                    int j = s * Nr;
                    Output.Write(i0, J0 + j, rows, Math.Min(Nr, Cols - j), tile, Nr, ColumnSums + j);
                }
            }
        }
    }

    /// <summary>dst[q·MR + r] holds A[r, q·g .. q·g+g) as g u16 (g = 2) or g u8 (g = 4) in one int; rows past `rows` and the tail are 0.</summary>
    private static void PackActivations(int* dst, byte* a, int lda, int rows, int k, int group)
    {
        int groups = (k + group - 1) / group;
        int bits = 32 / group;
        for (int r = 0; r < MicroRows; r++)
        {
            int* d = dst + r;
            byte* src = a + (long)r * lda;
            for (int q = 0; q < groups; q++)
            {
                uint packed = 0;
                for (int e = 0, p = q * group; e < group && p < k && r < rows; e++, p++)
                {
                    packed |= (uint)src[p] << (e * bits);
                }
                d[q * MicroRows] = (int)packed;
            }
        }
    }

    /// <summary>True when every A[i, p] ≤ 127.</summary>
    private static bool FitsSevenBits(byte* a, int lda, int m, int k)
    {
        for (int i = 0; i < m; i++)
        {
            byte* row = a + (long)i * lda;
            int p = 0;
            var high = Vector256<byte>.Zero;
            for (; p + 32 <= k; p += 32)
            {
                high |= Vector256.Load(row + p);
            }
            byte tail = 0;
            for (; p < k; p++)
            {
                tail |= row[p];
            }
            if (((high.ExtractMostSignificantBits() != 0) || tail > 127))
            {
                return false;
            }
        }
        return true;
    }
}
