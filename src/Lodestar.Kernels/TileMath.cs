// Register-blocked products of small tiles (the inner loops of fused attention), written once over the
// vector width: C(m×n) (+)= A(m×k)·B(k×n) with B's rows contiguous, plus dots and tile transposes.
using System.Runtime.CompilerServices;

namespace Lodestar.Kernels;

internal static unsafe class TileMath
{
    /// <summary>
    /// c (m×n, ldc) = a (m×k, lda) · b (k×n, ldb), or += when <paramref name="accumulate"/>. Columns come in
    /// blocks of Width; a final partial block is computed by <see cref="MultiplyColumnsScalar"/>.
    /// </summary>
    public static void MultiplyNN<TSimd, TVec>(int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        int j = 0;
        for (; j + 2 * w <= n; j += 2 * w)
        {
            int i = 0;
            for (; i + 4 <= m; i += 4)
            {
                Block4x2<TSimd, TVec>(k, a + (long)i * lda, lda, b + j, ldb, c + (long)i * ldc + j, ldc, accumulate);
            }
            for (; i < m; i++)
            {
                Block1xN<TSimd, TVec>(2, k, a + (long)i * lda, b + j, ldb, c + (long)i * ldc + j, accumulate);
            }
        }
        for (; j + w <= n; j += w)
        {
            for (int i = 0; i < m; i++)
            {
                Block1xN<TSimd, TVec>(1, k, a + (long)i * lda, b + j, ldb, c + (long)i * ldc + j, accumulate);
            }
        }
        if (j < n)
        {
            MultiplyColumnsScalar(m, j, n, k, a, lda, b, ldb, c, ldc, accumulate);
        }
    }

    private static void MultiplyColumnsScalar(int m, int columnStart, int columnEnd, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            float* ai = a + (long)i * lda;
            for (int j = columnStart; j < columnEnd; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    sum = MathF.FusedMultiplyAdd(ai[p], b[(long)p * ldb + j], sum);
                }
                float* cij = c + (long)i * ldc + j;
                *cij = accumulate ? *cij + sum : sum;
            }
        }
    }

    // 4 rows × 2 vectors: 8 accumulators, 2 loads and 4 broadcasts per k step (fits 16 vector registers).
    private static void Block4x2<TSimd, TVec>(int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        TVec c00 = TSimd.Zero, c01 = TSimd.Zero, c10 = TSimd.Zero, c11 = TSimd.Zero;
        TVec c20 = TSimd.Zero, c21 = TSimd.Zero, c30 = TSimd.Zero, c31 = TSimd.Zero;
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;
        float* bp = b;
        for (int p = 0; p < k; p++, bp += ldb)
        {
            TVec b0 = TSimd.Load(ref *bp);
            TVec b1 = TSimd.Load(ref *(bp + w));
            TVec x = TSimd.Broadcast(a0[p]);
            c00 = TSimd.MultiplyAdd(x, b0, c00);
            c01 = TSimd.MultiplyAdd(x, b1, c01);
            x = TSimd.Broadcast(a1[p]);
            c10 = TSimd.MultiplyAdd(x, b0, c10);
            c11 = TSimd.MultiplyAdd(x, b1, c11);
            x = TSimd.Broadcast(a2[p]);
            c20 = TSimd.MultiplyAdd(x, b0, c20);
            c21 = TSimd.MultiplyAdd(x, b1, c21);
            x = TSimd.Broadcast(a3[p]);
            c30 = TSimd.MultiplyAdd(x, b0, c30);
            c31 = TSimd.MultiplyAdd(x, b1, c31);
        }
        Put<TSimd, TVec>(c00, c, accumulate);
        Put<TSimd, TVec>(c01, c + w, accumulate);
        Put<TSimd, TVec>(c10, c + ldc, accumulate);
        Put<TSimd, TVec>(c11, c + ldc + w, accumulate);
        Put<TSimd, TVec>(c20, c + 2 * ldc, accumulate);
        Put<TSimd, TVec>(c21, c + 2 * ldc + w, accumulate);
        Put<TSimd, TVec>(c30, c + 3 * ldc, accumulate);
        Put<TSimd, TVec>(c31, c + 3 * ldc + w, accumulate);
    }

    // One row × (1 or 2) vectors, for row and column remainders.
    private static void Block1xN<TSimd, TVec>(int vectors, int k, float* a, float* b, int ldb, float* c, bool accumulate)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        TVec c0 = TSimd.Zero, c1 = TSimd.Zero;
        float* bp = b;
        if (vectors == 2)
        {
            for (int p = 0; p < k; p++, bp += ldb)
            {
                TVec x = TSimd.Broadcast(a[p]);
                c0 = TSimd.MultiplyAdd(x, TSimd.Load(ref *bp), c0);
                c1 = TSimd.MultiplyAdd(x, TSimd.Load(ref *(bp + w)), c1);
            }
            Put<TSimd, TVec>(c1, c + w, accumulate);
        }
        else
        {
            for (int p = 0; p < k; p++, bp += ldb)
            {
                c0 = TSimd.MultiplyAdd(TSimd.Broadcast(a[p]), TSimd.Load(ref *bp), c0);
            }
        }
        Put<TSimd, TVec>(c0, c, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put<TSimd, TVec>(TVec value, float* destination, bool accumulate)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        if (accumulate)
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
        for (int i0 = 0; i0 < rows; i0 += Block)
        {
            int i1 = Math.Min(rows, i0 + Block);
            for (int j0 = 0; j0 < cols; j0 += Block)
            {
                int j1 = Math.Min(cols, j0 + Block);
                for (int i = i0; i < i1; i++)
                {
                    for (int j = j0; j < j1; j++)
                    {
                        destination[(long)j * ldd + i] = source[(long)i * lds + j];
                    }
                }
            }
        }
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
}
