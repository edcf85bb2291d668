// The cheap GEMM path for small products and thin matrices: no packing, straight from the caller's
// memory, as row AXPYs (op(B) rows contiguous) or dot products (op(B) columns contiguous).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lodestar.Kernels;

public static unsafe partial class Gemm
{
    private static void MultiplySmall(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        if (transposeB)
        {
            MultiplySmallDots(transposeA, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        // C row i = beta·C row i + Σ_p alpha·op(A)[i,p]·B row p.
        for (int i = 0; i < m; i++)
        {
            float* cRow = c + (long)i * ldc;
            ScaleC(1, n, beta, cRow, ldc);
            for (int p = 0; p < k; p++)
            {
                float av = alpha * (transposeA ? a[(long)p * lda + i] : a[(long)i * lda + p]);
                Axpy(av, b + (long)p * ldb, cRow, n);
            }
        }
    }

    /// <summary>C[i,j] = alpha·dot(op(A) row i, B row j) + beta·C[i,j], depth in chunks so rows of a transposed A can be gathered on the stack.</summary>
    [SkipLocalsInit]
    private static void MultiplySmallDots(bool transposeA, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        const int chunk = 512;
        float* gathered = stackalloc float[chunk];
        for (int i = 0; i < m; i++)
        {
            float* cRow = c + (long)i * ldc;
            for (int p0 = 0; p0 < k; p0 += chunk)
            {
                int depth = Math.Min(chunk, k - p0);
                float* aRow = a + (long)i * lda + p0;
                if (transposeA)
                {
                    for (int p = 0; p < depth; p++)
                    {
                        gathered[p] = a[(long)(p0 + p) * lda + i];
                    }
                    aRow = gathered;
                }
                for (int j = 0; j < n; j++)
                {
                    float dot = alpha * Dot(aRow, b + (long)j * ldb + p0, depth);
                    cRow[j] = p0 > 0 ? cRow[j] + dot : beta == 0 ? dot : dot + beta * cRow[j];
                }
            }
        }
    }

    /// <summary>y[0..n) += alpha·x[0..n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Axpy(float alpha, float* x, float* y, int n)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var va = Vector512.Create(alpha);
            for (; j <= n - 16; j += 16)
            {
                Vector512.Store(Vector512.FusedMultiplyAdd(va, Vector512.Load(x + j), Vector512.Load(y + j)), y + j);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(alpha);
            for (; j <= n - 8; j += 8)
            {
                Vector256.Store(Vector256.FusedMultiplyAdd(va, Vector256.Load(x + j), Vector256.Load(y + j)), y + j);
            }
        }
        for (; j < n; j++)
        {
            y[j] = MathF.FusedMultiplyAdd(alpha, x[j], y[j]);
        }
    }

    /// <summary>Σ x[p]·y[p] over p in [0, n), with independent vector accumulators.</summary>
    internal static float Dot(float* x, float* y, int n)
    {
        int p = 0;
        float sum = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var s0 = Vector512<float>.Zero;
            var s1 = Vector512<float>.Zero;
            for (; p <= n - 32; p += 32)
            {
                s0 = Vector512.FusedMultiplyAdd(Vector512.Load(x + p), Vector512.Load(y + p), s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.Load(x + p + 16), Vector512.Load(y + p + 16), s1);
            }
            for (; p <= n - 16; p += 16)
            {
                s0 = Vector512.FusedMultiplyAdd(Vector512.Load(x + p), Vector512.Load(y + p), s0);
            }
            sum = Vector512.Sum(s0 + s1);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var s0 = Vector256<float>.Zero;
            var s1 = Vector256<float>.Zero;
            for (; p <= n - 16; p += 16)
            {
                s0 = Vector256.FusedMultiplyAdd(Vector256.Load(x + p), Vector256.Load(y + p), s0);
                s1 = Vector256.FusedMultiplyAdd(Vector256.Load(x + p + 8), Vector256.Load(y + p + 8), s1);
            }
            for (; p <= n - 8; p += 8)
            {
                s0 = Vector256.FusedMultiplyAdd(Vector256.Load(x + p), Vector256.Load(y + p), s0);
            }
            sum = Vector256.Sum(s0 + s1);
        }
        for (; p < n; p++)
        {
            sum = MathF.FusedMultiplyAdd(x[p], y[p], sum);
        }
        return sum;
    }
}
