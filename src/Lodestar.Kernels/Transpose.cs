// Out-of-place matrix transpose, destination (C×R) = source (R×C)ᵀ, in 8×8 AVX blocks split over the kernel
// threads by column bands: backward passes hand the GEMM a row-major operand instead of a transposed one.
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
            int c = c0, r = 0;
            if (Avx.IsSupported)
            {
                // Full 8×8 blocks: source rows r..r+8 × columns c..c+8 land as destination rows c..c+8 × columns r..r+8.
                for (; c + 8 <= c1; c += 8)
                {
                    var sum = ColumnSums is null ? default : Avx.LoadVector256(ColumnSums + c);
                    for (r = 0; r + 8 <= Rows; r += 8)
                    {
                        float* block = Source + ((long)r * Cols) + c;
                        FloatPanelSource.Transpose8x8(block, Cols, Destination + ((long)c * Rows) + r, Rows);
                        if (ColumnSums is not null)
                        {
                            // The eight rows just read, added in row order (they are in L1).
                            for (int i = 0; i < 8; i++)
                            {
                                sum = Avx.Add(sum, Avx.LoadVector256(block + ((long)i * Cols)));
                            }
                        }
                    }
                    if (ColumnSums is not null)
                    {
                        Avx.Store(ColumnSums + c, sum);
                    }
                    Scalar(r, Rows, c, c + 8);
                }
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
