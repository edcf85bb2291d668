// The inner loop of an exact nearest-neighbour scan: the inner products of one query with a run of consecutive
// rows. Four rows share each load of the query and each loop step, so the scan runs at the speed memory delivers
// the rows. Written once over IFloatSimd; DotScanReference is its scalar twin.
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
        var r = 0;
        for (; r + 4 <= count; r += 4)
        {
            var r0 = rows + (long)r * dimension;
            var r1 = r0 + dimension;
            var r2 = r1 + dimension;
            var r3 = r2 + dimension;
            TVec a0 = TSimd.Zero, a1 = TSimd.Zero, a2 = TSimd.Zero, a3 = TSimd.Zero;
            for (var d = 0; d < whole; d += TSimd.Width)
            {
                var q = TSimd.Load(ref query[d]);
                a0 = TSimd.MultiplyAdd(q, TSimd.Load(ref r0[d]), a0);
                a1 = TSimd.MultiplyAdd(q, TSimd.Load(ref r1[d]), a1);
                a2 = TSimd.MultiplyAdd(q, TSimd.Load(ref r2[d]), a2);
                a3 = TSimd.MultiplyAdd(q, TSimd.Load(ref r3[d]), a3);
            }
            scores[r] = TSimd.Sum(a0) + Tail(query, r0, whole, dimension);
            scores[r + 1] = TSimd.Sum(a1) + Tail(query, r1, whole, dimension);
            scores[r + 2] = TSimd.Sum(a2) + Tail(query, r2, whole, dimension);
            scores[r + 3] = TSimd.Sum(a3) + Tail(query, r3, whole, dimension);
        }
        for (; r < count; r++)
        {
            var row = rows + (long)r * dimension;
            var a = TSimd.Zero;
            for (var d = 0; d < whole; d += TSimd.Width)
            {
                a = TSimd.MultiplyAdd(TSimd.Load(ref query[d]), TSimd.Load(ref row[d]), a);
            }
            scores[r] = TSimd.Sum(a) + Tail(query, row, whole, dimension);
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
