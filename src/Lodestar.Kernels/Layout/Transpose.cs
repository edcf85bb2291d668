// Out-of-place matrix transpose, destination (C×R) = source (R×C)ᵀ, in 8×8 AVX blocks split over the kernel
// threads by column bands: backward passes hand the GEMM a row-major operand instead of a transposed one.
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lodestar.Kernels;

public static unsafe class Transpose
{
    // Below this many elements one thread does the whole transpose (a pool handoff costs microseconds).
    private const int MinimumParallelElements = 1 << 15;

    // Columns of source (rows of destination) per work item: 8 blocks of 8, so each item writes whole lines.
    private const int BandColumns = 64;

    /// <summary>source is (R,C) row-major, destination is (C,R) row-major: destination[c·R + r] = source[r·C + c].</summary>
    public static void Matrix(ReadOnlySpan<float> source, int rows, int cols, Span<float> destination) =>
        Run(source, rows, cols, destination, default, sums: false);

    /// <summary>
    /// Matrix, plus columnSums[c] += Σ_r source[r·C + c] (a bias gradient from the same pass), the rows added
    /// one after another onto columnSums in row order, as Elementwise.AddBiasRowsBackward adds them.
    /// </summary>
    public static void MatrixWithColumnSums(ReadOnlySpan<float> source, int rows, int cols, Span<float> destination, Span<float> columnSums)
    {
        SimdLoops.RequireLength(columnSums.Length, cols, nameof(columnSums));
        Run(source, rows, cols, destination, columnSums, sums: true);
    }

    private static void Run(ReadOnlySpan<float> source, int rows, int cols, Span<float> destination, Span<float> columnSums, bool sums)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        SimdLoops.RequireLength(source.Length, rows * cols, nameof(source));
        SimdLoops.RequireLength(destination.Length, rows * cols, nameof(destination));
        if (rows == 0 || cols == 0)
        {
            return;
        }
        fixed (float* src = source, dst = destination, sum = columnSums)
        {
            var bands = (cols + BandColumns - 1) / BandColumns;
            var body = new BandBody { Source = src, Destination = dst, ColumnSums = sums ? sum : null, Rows = rows, Cols = cols };
            if ((long)rows * cols < MinimumParallelElements || bands == 1)
            {
                for (var band = 0; band < bands; band++)
                {
                    body.Invoke(band);
                }
                return;
            }
            KernelThreads.For(bands, ref body);
        }
    }

    private struct BandBody : IParallelBody
    {
        public float* Source, Destination, ColumnSums;
        public int Rows, Cols;

        public readonly void Invoke(int band)
        {
            int c0 = band * BandColumns, c1 = Math.Min(Cols, c0 + BandColumns);
            int c = c0;
            if (Avx.IsSupported && c1 - c0 >= 8)
            {
                c = c0 + ((c1 - c0) / 8 * 8);
                int strips = (c - c0) / 8, r = 0;
                // Rows outer, the band's 8-column strips inner: each 8-row block of the source (8 pages apart when a
                // row is 4 KiB) is read once for the whole band instead of once per strip, which missed the TLB.
                Vector256<float>* sums = stackalloc Vector256<float>[BandColumns / 8];
                for (int s = 0; s < strips && ColumnSums is not null; s++)
                {
                    sums[s] = Avx.LoadVector256(ColumnSums + c0 + (8 * s));
                }
                for (; r + 8 <= Rows; r += 8)
                {
                    float* blockRow = Source + ((long)r * Cols) + c0;
                    for (int s = 0; s < strips; s++)
                    {
                        float* block = blockRow + (8 * s);
                        // Source rows r..r+8 × columns c..c+8 land as destination rows c..c+8 × columns r..r+8.
                        FloatPanelSource.Transpose8x8(block, Cols, Destination + ((long)(c0 + (8 * s)) * Rows) + r, Rows);
                        if (ColumnSums is not null)
                        {
                            // The eight rows just read, added in row order (they are in L1).
                            var sum = sums[s];
                            for (int i = 0; i < 8; i++)
                            {
                                sum = Avx.Add(sum, Avx.LoadVector256(block + ((long)i * Cols)));
                            }
                            sums[s] = sum;
                        }
                    }
                }
                for (int s = 0; s < strips && ColumnSums is not null; s++)
                {
                    Avx.Store(ColumnSums + c0 + (8 * s), sums[s]);
                }
                Scalar(r, Rows, c0, c);
            }
            Scalar(0, Rows, c, c1);
        }

        private readonly void Scalar(int r0, int r1, int c0, int c1)
        {
            for (var c = c0; c < c1; c++)
            {
                float sum = ColumnSums is null ? 0f : ColumnSums[c];
                for (var r = r0; r < r1; r++)
                {
                    float value = Source[((long)r * Cols) + c];
                    Destination[((long)c * Rows) + r] = value;
                    sum += value;
                }
                if (ColumnSums is not null)
                {
                    ColumnSums[c] = sum;
                }
            }
        }
    }
}
