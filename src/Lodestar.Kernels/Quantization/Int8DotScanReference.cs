// The scalar twin of Int8DotScan: each row's inner product with the query, in order, in 64-bit integers.
namespace Lodestar.Kernels;

public static class Int8DotScanReference
{
    /// <summary>dots[r] = Σ_d query[d]·rows[r·D + d]; query is (D), rows is (count, D), dots is (count).</summary>
    public static void Dots(ReadOnlySpan<sbyte> query, ReadOnlySpan<sbyte> rows, int count, int dimension, Span<long> dots)
    {
        for (var r = 0; r < count; r++)
        {
            long sum = 0;
            for (var d = 0; d < dimension; d++)
            {
                sum += query[d] * rows[r * dimension + d];
            }
            dots[r] = sum;
        }
    }
}
