// Register-blocked products of small tiles (the inner loops of fused attention), written once over the
// vector width: C(m×n) (+)= A(m×k)·B(k×n) with B's rows contiguous, plus dots and tile transposes.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lodestar.Kernels;

internal static unsafe class TileMath
{
    /// <summary>
    /// c (m×n, ldc) = alpha·op(a)·b (+ c when <paramref name="accumulate"/>), b is (k×n, ldb). op(a) is m×k with
    /// element (i,p) at a[i·aRowStride + p·aColumnStride]: (lda, 1) reads a as is, (1, lda) reads its transpose.
    /// Columns come in blocks of Width; a final partial block reads b up to Width−1 floats past column n of
    /// each row (callers pass scratch with that slack) and writes only the n columns.
    /// </summary>
    public static void Multiply<TSimd, TVec>(int m, int n, int k, float* a, int aRowStride, int aColumnStride,
        float* b, int ldb, float* c, int ldc, float alpha, bool accumulate)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        var operands = new Operands(k, aRowStride, aColumnStride, ldb, ldc, alpha, accumulate);
        int j = 0;
        if (w == Vector512<float>.Count)
        {
            // 32 zmm registers hold a 6×4 block (24 accumulators): 4 loads and 6 broadcasts per 24 FMAs.
            for (; j + 4 * w <= n; j += 4 * w)
            {
                int i = 0;
                for (; i + 6 <= m; i += 6)
                {
                    Block6x4<TSimd, TVec>(operands, a + (long)i * aRowStride, b + j, c + (long)i * ldc + j);
                }
                for (; i + 4 <= m; i += 4)
                {
                    Block4x2<TSimd, TVec>(operands, a + (long)i * aRowStride, b + j, c + (long)i * ldc + j);
                    Block4x2<TSimd, TVec>(operands, a + (long)i * aRowStride, b + j + 2 * w, c + (long)i * ldc + j + 2 * w);
                }
                for (; i < m; i++)
                {
                    Block1xN<TSimd, TVec>(2, operands, a + (long)i * aRowStride, b + j, c + (long)i * ldc + j);
                    Block1xN<TSimd, TVec>(2, operands, a + (long)i * aRowStride, b + j + 2 * w, c + (long)i * ldc + j + 2 * w);
                }
            }
        }
        for (; j + 2 * w <= n; j += 2 * w)
        {
            int i = 0;
            for (; i + 4 <= m; i += 4)
            {
                Block4x2<TSimd, TVec>(operands, a + (long)i * aRowStride, b + j, c + (long)i * ldc + j);
            }
            for (; i < m; i++)
            {
                Block1xN<TSimd, TVec>(2, operands, a + (long)i * aRowStride, b + j, c + (long)i * ldc + j);
            }
        }
        for (; j + w <= n; j += w)
        {
            int i = 0;
            for (; i + 4 <= m; i += 4)
            {
                Block4x1<TSimd, TVec>(operands, a + (long)i * aRowStride, b + j, c + (long)i * ldc + j);
            }
            for (; i < m; i++)
            {
                Block1xN<TSimd, TVec>(1, operands, a + (long)i * aRowStride, b + j, c + (long)i * ldc + j);
            }
        }
        if (j < n)
        {
            for (int i = 0; i < m; i++)
            {
                BlockPartial<TSimd, TVec>(n - j, operands, a + (long)i * aRowStride, b + j, c + (long)i * ldc + j);
            }
        }
    }

    /// <summary>The strides and scaling shared by every register block of one product.</summary>
    private readonly record struct Operands(int K, int ARowStride, int AColumnStride, int Ldb, int Ldc, float Alpha, bool Accumulate);

    // One row × one partial vector of `columns` < Width lanes: computed whole, stored lane by lane.
    private static void BlockPartial<TSimd, TVec>(int columns, in Operands o, float* a, float* b, float* c)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        TVec acc = TSimd.Zero;
        long cs = o.AColumnStride, ldb = o.Ldb;
        float* ap = a;
        float* bp = b;
        for (int p = 0; p < o.K; p++, ap += cs, bp += ldb)
        {
            acc = TSimd.MultiplyAdd(TSimd.Broadcast(*ap), TSimd.Load(ref *bp), acc);
        }
        float* lanes = stackalloc float[TSimd.Width];
        TSimd.Store(acc, ref *lanes);
        for (int j = 0; j < columns; j++)
        {
            float value = o.Alpha * lanes[j];
            c[j] = o.Accumulate ? c[j] + value : value;
        }
    }

    // 4 rows × 2 vectors: 8 accumulators, 2 loads and 4 broadcasts per k step (fits 16 vector registers).
    private static void Block4x2<TSimd, TVec>(in Operands o, float* a, float* b, float* c)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        TVec c00 = TSimd.Zero, c01 = TSimd.Zero, c10 = TSimd.Zero, c11 = TSimd.Zero;
        TVec c20 = TSimd.Zero, c21 = TSimd.Zero, c30 = TSimd.Zero, c31 = TSimd.Zero;
        long rs = o.ARowStride, cs = o.AColumnStride, ldb = o.Ldb;
        float* ap = a;
        float* bp = b;
        for (int p = 0; p < o.K; p++, ap += cs, bp += ldb)
        {
            TVec b0 = TSimd.Load(ref *bp);
            TVec b1 = TSimd.Load(ref *(bp + w));
            TVec x = TSimd.Broadcast(*ap);
            c00 = TSimd.MultiplyAdd(x, b0, c00);
            c01 = TSimd.MultiplyAdd(x, b1, c01);
            x = TSimd.Broadcast(ap[rs]);
            c10 = TSimd.MultiplyAdd(x, b0, c10);
            c11 = TSimd.MultiplyAdd(x, b1, c11);
            x = TSimd.Broadcast(ap[2 * rs]);
            c20 = TSimd.MultiplyAdd(x, b0, c20);
            c21 = TSimd.MultiplyAdd(x, b1, c21);
            x = TSimd.Broadcast(ap[3 * rs]);
            c30 = TSimd.MultiplyAdd(x, b0, c30);
            c31 = TSimd.MultiplyAdd(x, b1, c31);
        }
        long ldc = o.Ldc;
        Put<TSimd, TVec>(c00, c, o);
        Put<TSimd, TVec>(c01, c + w, o);
        Put<TSimd, TVec>(c10, c + ldc, o);
        Put<TSimd, TVec>(c11, c + ldc + w, o);
        Put<TSimd, TVec>(c20, c + 2 * ldc, o);
        Put<TSimd, TVec>(c21, c + 2 * ldc + w, o);
        Put<TSimd, TVec>(c30, c + 3 * ldc, o);
        Put<TSimd, TVec>(c31, c + 3 * ldc + w, o);
    }

    // 6 rows × 4 vectors (AVX-512 only): 24 accumulators, 4 loads and 6 broadcasts per k step.
    private static void Block6x4<TSimd, TVec>(in Operands o, float* a, float* b, float* c)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        TVec c00 = TSimd.Zero, c01 = TSimd.Zero, c02 = TSimd.Zero, c03 = TSimd.Zero;
        TVec c10 = TSimd.Zero, c11 = TSimd.Zero, c12 = TSimd.Zero, c13 = TSimd.Zero;
        TVec c20 = TSimd.Zero, c21 = TSimd.Zero, c22 = TSimd.Zero, c23 = TSimd.Zero;
        TVec c30 = TSimd.Zero, c31 = TSimd.Zero, c32 = TSimd.Zero, c33 = TSimd.Zero;
        TVec c40 = TSimd.Zero, c41 = TSimd.Zero, c42 = TSimd.Zero, c43 = TSimd.Zero;
        TVec c50 = TSimd.Zero, c51 = TSimd.Zero, c52 = TSimd.Zero, c53 = TSimd.Zero;
        long rs = o.ARowStride, cs = o.AColumnStride, ldb = o.Ldb;
        float* ap = a;
        float* bp = b;
        for (int p = 0; p < o.K; p++, ap += cs, bp += ldb)
        {
            TVec b0 = TSimd.Load(ref *bp);
            TVec b1 = TSimd.Load(ref *(bp + w));
            TVec b2 = TSimd.Load(ref *(bp + 2 * w));
            TVec b3 = TSimd.Load(ref *(bp + 3 * w));
            TVec x = TSimd.Broadcast(*ap);
            c00 = TSimd.MultiplyAdd(x, b0, c00);
            c01 = TSimd.MultiplyAdd(x, b1, c01);
            c02 = TSimd.MultiplyAdd(x, b2, c02);
            c03 = TSimd.MultiplyAdd(x, b3, c03);
            x = TSimd.Broadcast(ap[rs]);
            c10 = TSimd.MultiplyAdd(x, b0, c10);
            c11 = TSimd.MultiplyAdd(x, b1, c11);
            c12 = TSimd.MultiplyAdd(x, b2, c12);
            c13 = TSimd.MultiplyAdd(x, b3, c13);
            x = TSimd.Broadcast(ap[2 * rs]);
            c20 = TSimd.MultiplyAdd(x, b0, c20);
            c21 = TSimd.MultiplyAdd(x, b1, c21);
            c22 = TSimd.MultiplyAdd(x, b2, c22);
            c23 = TSimd.MultiplyAdd(x, b3, c23);
            x = TSimd.Broadcast(ap[3 * rs]);
            c30 = TSimd.MultiplyAdd(x, b0, c30);
            c31 = TSimd.MultiplyAdd(x, b1, c31);
            c32 = TSimd.MultiplyAdd(x, b2, c32);
            c33 = TSimd.MultiplyAdd(x, b3, c33);
            x = TSimd.Broadcast(ap[4 * rs]);
            c40 = TSimd.MultiplyAdd(x, b0, c40);
            c41 = TSimd.MultiplyAdd(x, b1, c41);
            c42 = TSimd.MultiplyAdd(x, b2, c42);
            c43 = TSimd.MultiplyAdd(x, b3, c43);
            x = TSimd.Broadcast(ap[5 * rs]);
            c50 = TSimd.MultiplyAdd(x, b0, c50);
            c51 = TSimd.MultiplyAdd(x, b1, c51);
            c52 = TSimd.MultiplyAdd(x, b2, c52);
            c53 = TSimd.MultiplyAdd(x, b3, c53);
        }
        long ldc = o.Ldc;
        PutRow<TSimd, TVec>(c, w, o, c00, c01, c02, c03);
        PutRow<TSimd, TVec>(c + ldc, w, o, c10, c11, c12, c13);
        PutRow<TSimd, TVec>(c + 2 * ldc, w, o, c20, c21, c22, c23);
        PutRow<TSimd, TVec>(c + 3 * ldc, w, o, c30, c31, c32, c33);
        PutRow<TSimd, TVec>(c + 4 * ldc, w, o, c40, c41, c42, c43);
        PutRow<TSimd, TVec>(c + 5 * ldc, w, o, c50, c51, c52, c53);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PutRow<TSimd, TVec>(float* c, int w, in Operands o, TVec v0, TVec v1, TVec v2, TVec v3)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        Put<TSimd, TVec>(v0, c, o);
        Put<TSimd, TVec>(v1, c + w, o);
        Put<TSimd, TVec>(v2, c + 2 * w, o);
        Put<TSimd, TVec>(v3, c + 3 * w, o);
    }

    // 4 rows × 1 vector: four independent FMA chains for a last single-vector column block.
    private static void Block4x1<TSimd, TVec>(in Operands o, float* a, float* b, float* c)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        TVec c0 = TSimd.Zero, c1 = TSimd.Zero, c2 = TSimd.Zero, c3 = TSimd.Zero;
        long rs = o.ARowStride, cs = o.AColumnStride, ldb = o.Ldb;
        float* ap = a;
        float* bp = b;
        for (int p = 0; p < o.K; p++, ap += cs, bp += ldb)
        {
            TVec b0 = TSimd.Load(ref *bp);
            c0 = TSimd.MultiplyAdd(TSimd.Broadcast(*ap), b0, c0);
            c1 = TSimd.MultiplyAdd(TSimd.Broadcast(ap[rs]), b0, c1);
            c2 = TSimd.MultiplyAdd(TSimd.Broadcast(ap[2 * rs]), b0, c2);
            c3 = TSimd.MultiplyAdd(TSimd.Broadcast(ap[3 * rs]), b0, c3);
        }
        long ldc = o.Ldc;
        Put<TSimd, TVec>(c0, c, o);
        Put<TSimd, TVec>(c1, c + ldc, o);
        Put<TSimd, TVec>(c2, c + 2 * ldc, o);
        Put<TSimd, TVec>(c3, c + 3 * ldc, o);
    }

    // One row × (1 or 2) vectors, for row and column remainders.
    private static void Block1xN<TSimd, TVec>(int vectors, in Operands o, float* a, float* b, float* c)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        TVec c0 = TSimd.Zero, c1 = TSimd.Zero;
        long cs = o.AColumnStride, ldb = o.Ldb;
        float* ap = a;
        float* bp = b;
        if (vectors == 2)
        {
            for (int p = 0; p < o.K; p++, ap += cs, bp += ldb)
            {
                TVec x = TSimd.Broadcast(*ap);
                c0 = TSimd.MultiplyAdd(x, TSimd.Load(ref *bp), c0);
                c1 = TSimd.MultiplyAdd(x, TSimd.Load(ref *(bp + w)), c1);
            }
            Put<TSimd, TVec>(c1, c + w, o);
        }
        else
        {
            for (int p = 0; p < o.K; p++, ap += cs, bp += ldb)
            {
                c0 = TSimd.MultiplyAdd(TSimd.Broadcast(*ap), TSimd.Load(ref *bp), c0);
            }
        }
        Put<TSimd, TVec>(c0, c, o);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put<TSimd, TVec>(TVec value, float* destination, in Operands o)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        if (o.Alpha != 1f)
        {
            value = TSimd.Multiply(value, TSimd.Broadcast(o.Alpha));
        }
        if (o.Accumulate)
        {
            value = TSimd.Add(value, TSimd.Load(ref *destination));
        }
        TSimd.Store(value, ref *destination);
    }

    /// <summary>Σ x[i]·y[i] over n elements.</summary>
    public static float Dot<TSimd, TVec>(float* x, float* y, int n)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        TVec acc0 = TSimd.Zero, acc1 = TSimd.Zero;
        int i = 0;
        for (; i + 2 * w <= n; i += 2 * w)
        {
            acc0 = TSimd.MultiplyAdd(TSimd.Load(ref x[i]), TSimd.Load(ref y[i]), acc0);
            acc1 = TSimd.MultiplyAdd(TSimd.Load(ref x[i + w]), TSimd.Load(ref y[i + w]), acc1);
        }
        for (; i + w <= n; i += w)
        {
            acc0 = TSimd.MultiplyAdd(TSimd.Load(ref x[i]), TSimd.Load(ref y[i]), acc0);
        }
        float sum = TSimd.Sum(TSimd.Add(acc0, acc1));
        for (; i < n; i++)
        {
            sum = MathF.FusedMultiplyAdd(x[i], y[i], sum);
        }
        return sum;
    }

    /// <summary>destination (cols×rows, ldd) = sourceᵀ where source is (rows×cols, lds).</summary>
    public static void Transpose(int rows, int cols, float* source, int lds, float* destination, int ldd)
    {
        const int Block = 8;
        int fullRows = Avx.IsSupported ? rows / Block * Block : 0;
        int fullCols = Avx.IsSupported ? cols / Block * Block : 0;
        for (int i0 = 0; i0 < fullRows; i0 += Block)
        {
            for (int j0 = 0; j0 < fullCols; j0 += Block)
            {
                FloatPanelSource.Transpose8x8(source + (long)i0 * lds + j0, lds, destination + (long)j0 * ldd + i0, ldd);
            }
        }
        TransposeScalar(0, fullRows, fullCols, cols, source, lds, destination, ldd);
        TransposeScalar(fullRows, rows, 0, cols, source, lds, destination, ldd);
    }

    private static void TransposeScalar(int rowStart, int rowEnd, int colStart, int colEnd, float* source, int lds, float* destination, int ldd)
    {
        for (int i = rowStart; i < rowEnd; i++)
        {
            for (int j = colStart; j < colEnd; j++)
            {
                destination[(long)j * ldd + i] = source[(long)i * lds + j];
            }
        }
    }

    /// <summary>destination (rows×ldd) = scale·source (rows×cols, lds), columns [cols, ldd) set to zero.</summary>
    public static void CopyPadded<TSimd, TVec>(int rows, int cols, float* source, int lds, float scale, float* destination, int ldd)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        for (int i = 0; i < rows; i++)
        {
            float* d = destination + (long)i * ldd;
            ScaleCopy<TSimd, TVec>(source + (long)i * lds, d, cols, scale);
            new Span<float>(d + cols, ldd - cols).Clear();
        }
    }

    /// <summary>destination[i] = scale·source[i] for i in [0,n).</summary>
    public static void ScaleCopy<TSimd, TVec>(float* source, float* destination, int n, float scale)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width, i = 0;
        TVec f = TSimd.Broadcast(scale);
        for (; i + w <= n; i += w)
        {
            TSimd.Store(TSimd.Multiply(TSimd.Load(ref source[i]), f), ref destination[i]);
        }
        for (; i < n; i++)
        {
            destination[i] = source[i] * scale;
        }
    }

    /// <summary>Max of x[0..n).</summary>
    public static float Max<TSimd, TVec>(float* x, int n)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        float max = float.NegativeInfinity;
        int i = 0;
        if (n >= w)
        {
            TVec acc = TSimd.Load(ref x[0]);
            for (i = w; i + w <= n; i += w)
            {
                acc = TSimd.Max(acc, TSimd.Load(ref x[i]));
            }
            max = TSimd.MaxAcross(acc);
        }
        for (; i < n; i++)
        {
            max = MathF.Max(max, x[i]);
        }
        return max;
    }

    /// <summary>x[i] = exp(x[i] − shift) for i in [0,n); returns Σ x[i]. −∞ entries become 0.</summary>
    public static float ExpShiftSum<TSimd, TVec>(float* x, int n, float shift)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct => ExpShift<TSimd, TVec>(x, n, shift, store: true);

    /// <summary>Σ_i exp(x[i] − shift), leaving x unchanged.</summary>
    public static float SumExpShift<TSimd, TVec>(float* x, int n, float shift)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct => ExpShift<TSimd, TVec>(x, n, shift, store: false);

    private static float ExpShift<TSimd, TVec>(float* x, int n, float shift, bool store)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        TVec shiftVector = TSimd.Broadcast(shift);
        TVec acc = TSimd.Zero;
        int i = 0;
        for (; i + w <= n; i += w)
        {
            TVec e = TSimd.Exp(TSimd.Subtract(TSimd.Load(ref x[i]), shiftVector));
            if (store)
            {
                TSimd.Store(e, ref x[i]);
            }
            acc = TSimd.Add(acc, e);
        }
        float sum = TSimd.Sum(acc);
        for (; i < n; i++)
        {
            float e = MathF.Exp(x[i] - shift);
            x[i] = store ? e : x[i];
            sum += e;
        }
        return sum;
    }

    /// <summary>x[i] *= factor for i in [0,n).</summary>
    public static void Scale<TSimd, TVec>(float* x, int n, float factor)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        TVec f = TSimd.Broadcast(factor);
        int i = 0;
        for (; i + w <= n; i += w)
        {
            TSimd.Store(TSimd.Multiply(TSimd.Load(ref x[i]), f), ref x[i]);
        }
        for (; i < n; i++)
        {
            x[i] *= factor;
        }
    }

    /// <summary>y[i] = decay·y[i] + a·x[i] for i in [0,n) (decay = 1 is the BLAS axpy).</summary>
    public static void ScaleAdd<TSimd, TVec>(float* y, float decay, float a, float* x, int n)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        TVec d = TSimd.Broadcast(decay), f = TSimd.Broadcast(a);
        int i = 0;
        for (; i + w <= n; i += w)
        {
            TSimd.Store(TSimd.MultiplyAdd(TSimd.Load(ref x[i]), f, TSimd.Multiply(TSimd.Load(ref y[i]), d)), ref y[i]);
        }
        for (; i < n; i++)
        {
            y[i] = decay * y[i] + a * x[i];
        }
    }
}
