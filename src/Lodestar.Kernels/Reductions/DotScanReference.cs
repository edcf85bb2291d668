// The scalar twin of DotScan: each row's inner product with the query summed in double, in order.
namespace Lodestar.Kernels;

public static class DotScanReference
{
    /// <summary>scores[r] = Σ_d query[d]·rows[r·D + d]; query is (D), rows is (count, D), scores is (count).</summary>
    public static void Scores(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, int count, int dimension, Span<double> scores)
    {
        for (var r = 0; r < count; r++)
        {
            double sum = 0;
            for (var d = 0; d < dimension; d++)
            {
                sum += (double)query[d] * rows[r * dimension + d];
            }
            scores[r] = sum;
        }
    }
}
