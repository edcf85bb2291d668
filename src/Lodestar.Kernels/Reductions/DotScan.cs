// The inner loop of an exact nearest-neighbour scan: the inner products of one query with a run of consecutive
// rows. Rows are read one after another, each from its start to its end: the hardware prefetcher then sees one
// sequential stream and the scan runs at the speed memory delivers it (reading four rows side by side, to share
// the query's loads, was twice as slow from memory though faster from cache). Written once over IFloatSimd;
// DotScanReference is its scalar twin.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lodestar.Kernels;

public static unsafe class DotScan
{
    /// <summary>scores[r] = Σ_d query[d]·rows[r·D + d] for r in [0, count); query is (D), rows is (count, D).</summary>
    public static void Scores(float* query, float* rows, int count, int dimension, float* scores)
    {
        if (Vector512.IsHardwareAccelerated && dimension >= Vector512<float>.Count)
        {
            Scores<Simd512, Vector512<float>>(query, rows, count, dimension, scores);
        }
        else if (Vector256.IsHardwareAccelerated && dimension >= Vector256<float>.Count)
        {
            Scores<Simd256, Vector256<float>>(query, rows, count, dimension, scores);
        }
        else
        {
            for (var r = 0; r < count; r++)
            {
                scores[r] = Tail(query, rows + (long)r * dimension, 0, dimension);
            }
        }
    }

    private static void Scores<TSimd, TVec>(float* query, float* rows, int count, int dimension, float* scores)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        var whole = dimension - dimension % TSimd.Width;
        var pairs = dimension - dimension % (2 * TSimd.Width);
        for (var r = 0; r < count; r++)
        {
            var row = rows + (long)r * dimension;
            TVec a0 = TSimd.Zero, a1 = TSimd.Zero;
            var d = 0;
            for (; d < pairs; d += 2 * TSimd.Width)
            {
                a0 = TSimd.MultiplyAdd(TSimd.Load(ref query[d]), TSimd.Load(ref row[d]), a0);
                a1 = TSimd.MultiplyAdd(TSimd.Load(ref query[d + TSimd.Width]), TSimd.Load(ref row[d + TSimd.Width]), a1);
            }
            if (d < whole)
            {
                a0 = TSimd.MultiplyAdd(TSimd.Load(ref query[d]), TSimd.Load(ref row[d]), a0);
            }
            scores[r] = TSimd.Sum(TSimd.Add(a0, a1)) + Tail(query, row, whole, dimension);
        }
    }

    /// <summary>Σ query[d]·row[d] for d in [from, dimension): the elements after the last whole vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Tail(float* query, float* row, int from, int dimension)
    {
        var sum = 0f;
        for (var d = from; d < dimension; d++)
        {
            sum = MathF.FusedMultiplyAdd(query[d], row[d], sum);
        }
        return sum;
    }
}
