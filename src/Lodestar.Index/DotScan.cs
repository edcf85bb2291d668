// The inner loop of an exact scan: the inner products of one query with a run of consecutive rows. Four rows
// share each load of the query and each loop step, so the scan runs at the speed memory delivers the rows.
// DotScanReference is its scalar twin.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lodestar.Index;

internal static unsafe class DotScan
{
    /// <summary>scores[r] = Σ_d query[d]·rows[r·D + d] for r in [0, count); query is (D), rows is (count, D).</summary>
    public static void Scores(float* query, float* rows, int count, int dimension, float* scores)
    {
        if (Vector512.IsHardwareAccelerated && dimension >= Vector512<float>.Count)
        {
            Scores512(query, rows, count, dimension, scores);
        }
        else if (Vector256.IsHardwareAccelerated && dimension >= Vector256<float>.Count)
        {
            Scores256(query, rows, count, dimension, scores);
        }
        else
        {
            for (var r = 0; r < count; r++)
            {
                scores[r] = Tail(query, rows + (long)r * dimension, 0, dimension);
            }
        }
    }

    private static void Scores512(float* query, float* rows, int count, int dimension, float* scores)
    {
        var whole = dimension & ~(Vector512<float>.Count - 1);
        var r = 0;
        for (; r + 4 <= count; r += 4)
        {
            var r0 = rows + (long)r * dimension;
            var r1 = r0 + dimension;
            var r2 = r1 + dimension;
            var r3 = r2 + dimension;
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (var d = 0; d < whole; d += Vector512<float>.Count)
            {
                var q = Vector512.Load(query + d);
                a0 = Vector512.FusedMultiplyAdd(q, Vector512.Load(r0 + d), a0);
                a1 = Vector512.FusedMultiplyAdd(q, Vector512.Load(r1 + d), a1);
                a2 = Vector512.FusedMultiplyAdd(q, Vector512.Load(r2 + d), a2);
                a3 = Vector512.FusedMultiplyAdd(q, Vector512.Load(r3 + d), a3);
            }
            scores[r] = Vector512.Sum(a0) + Tail(query, r0, whole, dimension);
            scores[r + 1] = Vector512.Sum(a1) + Tail(query, r1, whole, dimension);
            scores[r + 2] = Vector512.Sum(a2) + Tail(query, r2, whole, dimension);
            scores[r + 3] = Vector512.Sum(a3) + Tail(query, r3, whole, dimension);
        }
        for (; r < count; r++)
        {
            var row = rows + (long)r * dimension;
            Vector512<float> a = default;
            for (var d = 0; d < whole; d += Vector512<float>.Count)
            {
                a = Vector512.FusedMultiplyAdd(Vector512.Load(query + d), Vector512.Load(row + d), a);
            }
            scores[r] = Vector512.Sum(a) + Tail(query, row, whole, dimension);
        }
    }

    private static void Scores256(float* query, float* rows, int count, int dimension, float* scores)
    {
        var whole = dimension & ~(Vector256<float>.Count - 1);
        var r = 0;
        for (; r + 4 <= count; r += 4)
        {
            var r0 = rows + (long)r * dimension;
            var r1 = r0 + dimension;
            var r2 = r1 + dimension;
            var r3 = r2 + dimension;
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (var d = 0; d < whole; d += Vector256<float>.Count)
            {
                var q = Vector256.Load(query + d);
                a0 = Vector256.FusedMultiplyAdd(q, Vector256.Load(r0 + d), a0);
                a1 = Vector256.FusedMultiplyAdd(q, Vector256.Load(r1 + d), a1);
                a2 = Vector256.FusedMultiplyAdd(q, Vector256.Load(r2 + d), a2);
                a3 = Vector256.FusedMultiplyAdd(q, Vector256.Load(r3 + d), a3);
            }
            scores[r] = Vector256.Sum(a0) + Tail(query, r0, whole, dimension);
            scores[r + 1] = Vector256.Sum(a1) + Tail(query, r1, whole, dimension);
            scores[r + 2] = Vector256.Sum(a2) + Tail(query, r2, whole, dimension);
            scores[r + 3] = Vector256.Sum(a3) + Tail(query, r3, whole, dimension);
        }
        for (; r < count; r++)
        {
            var row = rows + (long)r * dimension;
            Vector256<float> a = default;
            for (var d = 0; d < whole; d += Vector256<float>.Count)
            {
                a = Vector256.FusedMultiplyAdd(Vector256.Load(query + d), Vector256.Load(row + d), a);
            }
            scores[r] = Vector256.Sum(a) + Tail(query, row, whole, dimension);
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
