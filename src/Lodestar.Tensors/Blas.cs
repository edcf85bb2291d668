// The engine's single door to matrix multiplication (C = alpha·op(A)·op(B) + beta·C, row-major),
// so every op multiplies through the same kernel and the kernel can change in one place.
using System.Numerics.Tensors;

namespace Lodestar.Tensors;

internal static class Blas
{
    public static void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        for (var i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (beta == 0f)
            {
                row.Clear();
            }
            else if (beta != 1f)
            {
                TensorPrimitives.Multiply(row, beta, row);
            }
            if (transposeB && !transposeA)
            {
                var ai = a.Slice(i * lda, k);
                for (var j = 0; j < n; j++)
                {
                    row[j] += alpha * TensorPrimitives.Dot(ai, b.Slice(j * ldb, k));
                }
                continue;
            }
            for (var p = 0; p < k; p++)
            {
                var aip = alpha * (transposeA ? a[(p * lda) + i] : a[(i * lda) + p]);
                if (aip == 0f)
                {
                    continue;
                }
                if (!transposeB)
                {
                    TensorPrimitives.MultiplyAdd(b.Slice(p * ldb, n), aip, row, row);
                }
                else
                {
                    for (var j = 0; j < n; j++)
                    {
                        row[j] += aip * b[(j * ldb) + p];
                    }
                }
            }
        }
    }
}
