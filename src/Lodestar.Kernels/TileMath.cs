// Register-blocked products of small tiles (the inner loops of fused attention), written once over the
// vector width: C(m×n) (+)= A(m×k)·B(k×n) with B's rows contiguous, plus dots and tile transposes.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Lodestar.Kernels;

internal static unsafe class TileMath
{
    /// <summary>
    /// c (m×n, ldc) = alpha·op(a)·b (+ c when <paramref name="accumulate"/>), b is (k×n, ldb). op(a) is m×k with
    /// element (i,p) at a[i·aRowStride + p·aColumnStride]: (lda, 1) reads a as is, (1, lda) reads its transpose.
    /// Columns come in blocks of Width; a final partial block is computed by <see cref="MultiplyColumnsScalar"/>.
    /// </summary>
    public static void Multiply<TSimd, TVec>(int m, int n, int k, float* a, int aRowStride, int aColumnStride,
        float* b, int ldb, float* c, int ldc, float alpha, bool accumulate)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        var operands = new Operands(k, aRowStride, aColumnStride, ldb, ldc, alpha, accumulate);
        int j = 0;
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
            for (int i = 0; i < m; i++)
            {
                Block1xN<TSimd, TVec>(1, operands, a + (long)i * aRowStride, b + j, c + (long)i * ldc + j);
            }
        }
        if (j < n)
        {
            MultiplyColumnsScalar(m, j, n, operands, a, b, c);
        }
    }

    /// <summary>The strides and scaling shared by every register block of one product.</summary>
    private readonly record struct Operands(int K, int ARowStride, int AColumnStride, int Ldb, int Ldc, float Alpha, bool Accumulate);

    private static void MultiplyColumnsScalar(int m, int columnStart, int columnEnd, in Operands o, float* a, float* b, float* c)
    {
        for (int i = 0; i < m; i++)
        {
            float* ai = a + (long)i * o.ARowStride;
            for (int j = columnStart; j < columnEnd; j++)
            {
                float sum = 0f;
                for (int p = 0; p < o.K; p++)
                {
                    sum = MathF.FusedMultiplyAdd(ai[(long)p * o.AColumnStride], b[(long)p * o.Ldb + j], sum);
                }
                float* cij = c + (long)i * o.Ldc + j;
                *cij = o.Accumulate ? *cij + o.Alpha * sum : o.Alpha * sum;
            }
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
                Transpose8x8(source + (long)i0 * lds + j0, lds, destination + (long)j0 * ldd + i0, ldd);
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

    // The classic AVX 8×8 transpose: unpack pairs, shuffle quads, swap 128-bit halves (24 shuffles per 64 floats).
    private static void Transpose8x8(float* source, long lds, float* destination, long ldd)
    {
        var r0 = Avx.LoadVector256(source);
        var r1 = Avx.LoadVector256(source + lds);
        var r2 = Avx.LoadVector256(source + 2 * lds);
        var r3 = Avx.LoadVector256(source + 3 * lds);
        var r4 = Avx.LoadVector256(source + 4 * lds);
        var r5 = Avx.LoadVector256(source + 5 * lds);
        var r6 = Avx.LoadVector256(source + 6 * lds);
        var r7 = Avx.LoadVector256(source + 7 * lds);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(destination, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(destination + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(destination + 2 * ldd, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(destination + 3 * ldd, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(destination + 4 * ldd, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(destination + 5 * ldd, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(destination + 6 * ldd, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(destination + 7 * ldd, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>destination (rows×ldd) = scale·source (rows×cols, lds), columns [cols, ldd) set to zero.</summary>
    public static void CopyPadded(int rows, int cols, float* source, int lds, float scale, float* destination, int ldd)
    {
        for (int i = 0; i < rows; i++)
        {
            float* s = source + (long)i * lds;
            float* d = destination + (long)i * ldd;
            for (int j = 0; j < cols; j++)
            {
                d[j] = s[j] * scale;
            }
            new Span<float>(d + cols, ldd - cols).Clear();
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
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        TVec shiftVector = TSimd.Broadcast(shift);
        TVec acc = TSimd.Zero;
        int i = 0;
        for (; i + w <= n; i += w)
        {
            TVec e = TSimd.Exp(TSimd.Subtract(TSimd.Load(ref x[i]), shiftVector));
            TSimd.Store(e, ref x[i]);
            acc = TSimd.Add(acc, e);
        }
        float sum = TSimd.Sum(acc);
        for (; i < n; i++)
        {
            float e = MathF.Exp(x[i] - shift);
            x[i] = e;
            sum += e;
        }
        return sum;
    }

    /// <summary>Σ_i exp(x[i] − shift), leaving x unchanged.</summary>
    public static float SumExpShift<TSimd, TVec>(float* x, int n, float shift)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        TVec shiftVector = TSimd.Broadcast(shift);
        TVec acc = TSimd.Zero;
        int i = 0;
        for (; i + w <= n; i += w)
        {
            acc = TSimd.Add(acc, TSimd.Exp(TSimd.Subtract(TSimd.Load(ref x[i]), shiftVector)));
        }
        float sum = TSimd.Sum(acc);
        for (; i < n; i++)
        {
            sum += MathF.Exp(x[i] - shift);
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
