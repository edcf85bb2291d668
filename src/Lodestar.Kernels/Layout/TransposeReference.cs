// Scalar twin of Transpose: the definition destination[c·R + r] = source[r·C + c] as two plain loops,
// what the blocked AVX transpose is tested against.
namespace Lodestar.Kernels;

public static class TransposeReference
{
    public static void Matrix(ReadOnlySpan<float> source, int rows, int cols, Span<float> destination)
    {
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                destination[c * rows + r] = source[r * cols + c];
            }
        }
    }

    /// <summary>Matrix, then columnSums[c] += source[r·C + c] for r = 0, 1, … in order.</summary>
    public static void MatrixWithColumnSums(ReadOnlySpan<float> source, int rows, int cols, Span<float> destination, Span<float> columnSums)
    {
        Matrix(source, rows, cols, destination);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                columnSums[c] += source[r * cols + c];
            }
        }
    }
}
