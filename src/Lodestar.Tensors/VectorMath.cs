// Small vectorized span helpers the ops share (on TensorPrimitives), so each op file holds only its math.
using System.Numerics.Tensors;

namespace Lodestar.Tensors;

internal static class VectorMath
{
    /// <summary>dst += src.</summary>
    public static void AddInto(ReadOnlySpan<float> src, Span<float> dst) => TensorPrimitives.Add(dst, src, dst);

    /// <summary>dst += alpha * src.</summary>
    public static void AddScaledInto(ReadOnlySpan<float> src, float alpha, Span<float> dst) => TensorPrimitives.MultiplyAdd(src, alpha, dst, dst);

    /// <summary>dst += a * b.</summary>
    public static void AddProductInto(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst) => TensorPrimitives.MultiplyAdd(a, b, dst, dst);

    /// <summary>Column sums of a (rows × columns) matrix added into dst (columns).</summary>
    public static void AddColumnSums(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> dst)
    {
        for (var r = 0; r < rows; r++)
        {
            AddInto(matrix.Slice(r * columns, columns), dst);
        }
    }

    public static double SumDouble(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (var v in values)
        {
            sum += v;
        }
        return sum;
    }
}
