// Scalar twin of Int8Gemm: exact integer sums of u8 activations × s8 weights, and the float output with
// per-row activation scale/zero point and per-column weight scale, the definition the fast kernel must meet.
namespace Lodestar.Kernels;

public static class Int8GemmReference
{
    /// <summary>C[i,j] = Σ_p A[i,p]·W[j,p]; A is (M,K) u8, W is (N,K) s8 (an nn.Linear weight), C is (M,N) s32.</summary>
    public static void MultiplyInt32(int m, int n, int k, ReadOnlySpan<byte> a, int lda, ReadOnlySpan<sbyte> w, int ldw,
        Span<int> c, int ldc)
    {
        Int8Gemm.Validate(m, n, k, a.Length, lda, w.Length, ldw, c.Length, ldc);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                int sum = 0;
                for (int p = 0; p < k; p++)
                {
                    sum += a[i * lda + p] * w[j * ldw + p];
                }
                c[i * ldc + j] = sum;
            }
        }
    }

    /// <summary>C[i,j] = aScale[i]·wScale[j]·Σ_p (A[i,p] − aZero[i])·W[j,p], the dequantized product of
    /// x ≈ aScale·(A − aZero) (per row) and weight ≈ wScale·W (per output column).</summary>
    public static void Multiply(int m, int n, int k, ReadOnlySpan<byte> a, int lda, ReadOnlySpan<float> aScale,
        ReadOnlySpan<byte> aZero, ReadOnlySpan<sbyte> w, int ldw, ReadOnlySpan<float> wScale, Span<float> c, int ldc)
    {
        Int8Gemm.Validate(m, n, k, a.Length, lda, w.Length, ldw, c.Length, ldc);
        Int8Gemm.ValidateScales(m, n, aScale.Length, aZero.Length, wScale.Length);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                int sum = 0;
                for (int p = 0; p < k; p++)
                {
                    sum += (a[i * lda + p] - aZero[i]) * w[j * ldw + p];
                }
                c[i * ldc + j] = aScale[i] * wScale[j] * sum;
            }
        }
    }
}
