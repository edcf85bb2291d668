// Scalar twin of Gemm: the plain triple loop with double accumulation that the fast kernels are tested
// against. Same signatures and semantics as Gemm (beta == 0 overwrites C, ignoring NaNs there).
namespace Lodestar.Kernels;

public static class GemmReference
{
    /// <summary>C(m×n) = alpha·op(A)·op(B) + beta·C; op(A) is m×k (A is k×m when transposeA), op(B) is k×n.</summary>
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        GemmShape.Validate(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transposeA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transposeB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += (double)av * bv;
                }
                float scaled = (float)(alpha * sum);
                c[i * ldc + j] = beta == 0 ? scaled : scaled + beta * c[i * ldc + j];
            }
        }
    }

    /// <summary>`batch` independent products; matrix i of A, B, C starts at i·strideA, i·strideB, i·strideC.</summary>
    public static void MultiplyBatched(bool transposeA, bool transposeB, int batch, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, long strideA, ReadOnlySpan<float> b, int ldb, long strideB,
        float beta, Span<float> c, int ldc, long strideC)
    {
        GemmShape.ValidateBatched(transposeA, transposeB, batch, m, n, k, a.Length, lda, strideA, b.Length, ldb, strideB,
            c.Length, ldc, strideC);
        for (int i = 0; i < batch; i++)
        {
            Multiply(transposeA, transposeB, m, n, k, alpha, a[(int)(i * strideA)..], lda, b[(int)(i * strideB)..], ldb,
                beta, c[(int)(i * strideC)..], ldc);
        }
    }
}
