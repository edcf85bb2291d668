// The inner loop of an int8 nearest-neighbour scan: exact int32 inner products of one int8 query with a run of
// consecutive int8 rows, a quarter of the bytes a float32 scan reads. Bytes are sign-extended to int16 and
// multiplied pairwise into int32 (vpmaddwd), four rows sharing each widened query; with codes in [−127, 127]
// a row's sum stays below 127²·D < 2³¹ for D up to 133,000. Written once over IInt8Lanes (AVX-512BW, AVX2);
// Int8DotScanReference is its scalar twin.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lodestar.Kernels;

public static unsafe class Int8DotScan
{
    /// <summary>dots[r] = Σ_d query[d]·rows[r·D + d] for r in [0, count); query is (D), rows is (count, D), all in [−127, 127].</summary>
    public static void Dots(sbyte* query, sbyte* rows, int count, int dimension, int* dots)
    {
        if (Avx512BW.IsSupported && dimension >= 32)
        {
            Dots<Lanes512, Vector512<short>, Vector512<int>>(query, rows, count, dimension, dots);
        }
        else if (Avx2.IsSupported && dimension >= 16)
        {
            Dots<Lanes256, Vector256<short>, Vector256<int>>(query, rows, count, dimension, dots);
        }
        else
        {
            for (var r = 0; r < count; r++)
            {
                dots[r] = Tail(query, rows + (long)r * dimension, 0, dimension);
            }
        }
    }

    private static void Dots<TLanes, TWide, TSum>(sbyte* query, sbyte* rows, int count, int dimension, int* dots)
        where TLanes : struct, IInt8Lanes<TWide, TSum> where TWide : struct where TSum : struct
    {
        var whole = dimension - dimension % TLanes.Width;
        var r = 0;
        for (; r + 4 <= count; r += 4)
        {
            var r0 = rows + (long)r * dimension;
            var r1 = r0 + dimension;
            var r2 = r1 + dimension;
            var r3 = r2 + dimension;
            TSum a0 = default, a1 = default, a2 = default, a3 = default;
            for (var d = 0; d < whole; d += TLanes.Width)
            {
                var q = TLanes.Load(query + d);
                a0 = TLanes.MultiplyAdd(q, TLanes.Load(r0 + d), a0);
                a1 = TLanes.MultiplyAdd(q, TLanes.Load(r1 + d), a1);
                a2 = TLanes.MultiplyAdd(q, TLanes.Load(r2 + d), a2);
                a3 = TLanes.MultiplyAdd(q, TLanes.Load(r3 + d), a3);
            }
            dots[r] = TLanes.Sum(a0) + Tail(query, r0, whole, dimension);
            dots[r + 1] = TLanes.Sum(a1) + Tail(query, r1, whole, dimension);
            dots[r + 2] = TLanes.Sum(a2) + Tail(query, r2, whole, dimension);
            dots[r + 3] = TLanes.Sum(a3) + Tail(query, r3, whole, dimension);
        }
        for (; r < count; r++)
        {
            var row = rows + (long)r * dimension;
            TSum a = default;
            for (var d = 0; d < whole; d += TLanes.Width)
            {
                a = TLanes.MultiplyAdd(TLanes.Load(query + d), TLanes.Load(row + d), a);
            }
            dots[r] = TLanes.Sum(a) + Tail(query, row, whole, dimension);
        }
    }

    /// <summary>One ISA's int8 lanes: Width bytes loaded and sign-extended to int16, multiplied pairwise into int32 sums.</summary>
    private interface IInt8Lanes<TWide, TSum> where TWide : struct where TSum : struct
    {
        static abstract int Width { get; }

        static abstract TWide Load(sbyte* source);

        /// <summary>sum + (a[2i]·b[2i] + a[2i+1]·b[2i+1]) per int32 lane (vpmaddwd).</summary>
        static abstract TSum MultiplyAdd(TWide a, TWide b, TSum sum);

        static abstract int Sum(TSum sum);
    }

    private readonly struct Lanes512 : IInt8Lanes<Vector512<short>, Vector512<int>>
    {
        public static int Width => 32;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<short> Load(sbyte* source) => Avx512BW.ConvertToVector512Int16(Vector256.Load(source));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<int> MultiplyAdd(Vector512<short> a, Vector512<short> b, Vector512<int> sum) =>
            Avx512F.Add(sum, Avx512BW.MultiplyAddAdjacent(a, b));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int Sum(Vector512<int> sum) => Vector512.Sum(sum);
    }

    private readonly struct Lanes256 : IInt8Lanes<Vector256<short>, Vector256<int>>
    {
        public static int Width => 16;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<short> Load(sbyte* source) => Avx2.ConvertToVector256Int16(Vector128.Load(source));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> MultiplyAdd(Vector256<short> a, Vector256<short> b, Vector256<int> sum) =>
            Avx2.Add(sum, Avx2.MultiplyAddAdjacent(a, b));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int Sum(Vector256<int> sum) => Vector256.Sum(sum);
    }

    /// <summary>Σ query[d]·row[d] for d in [from, dimension): the elements after the last whole vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Tail(sbyte* query, sbyte* row, int from, int dimension)
    {
        var sum = 0;
        for (var d = from; d < dimension; d++)
        {
            sum += query[d] * row[d];
        }
        return sum;
    }
}
