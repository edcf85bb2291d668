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
    public static void Matrix(ReadOnlySpan<float> source, int rows, int cols, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        SimdLoops.RequireLength(source.Length, rows * cols, nameof(source));
        SimdLoops.RequireLength(destination.Length, rows * cols, nameof(destination));
        if (rows == 0 || cols == 0)
        {
            return;
        }
        fixed (float* src = source, dst = destination)
        {
            var bands = (cols + BandColumns - 1) / BandColumns;
            var body = new BandBody { Source = src, Destination = dst, Rows = rows, Cols = cols };
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
        public float* Source, Destination;
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
                    for (r = 0; r + 8 <= Rows; r += 8)
                    {
                        FloatPanelSource.Transpose8x8(Source + ((long)r * Cols) + c, Cols, Destination + ((long)c * Rows) + r, Rows);
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
                for (var r = r0; r < r1; r++)
                {
                    Destination[((long)c * Rows) + r] = Source[((long)r * Cols) + c];
                }
            }
        }
    }
}
