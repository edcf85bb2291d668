// Scalar twin of Bf16Gemm: fp32 activations times bf16 weights widened to fp32, double accumulation.
namespace Lodestar.Kernels;

public static class Bf16GemmReference
{
    /// <summary>y[j] = Σ_p W[j,p]·x[p]; W is (N,K) bf16 with ldw, x is (K), y is (N).</summary>
    public static void MultiplyVector(int n, int k, ReadOnlySpan<ushort> w, int ldw, ReadOnlySpan<float> x, Span<float> y)
    {
        Bf16Gemm.ValidateVector(n, k, w.Length, ldw, x.Length, y.Length);
        for (int j = 0; j < n; j++)
        {
            y[j] = (float)Dot(w.Slice(j * ldw, k), x);
        }
    }

    /// <summary>C[i,j] = Σ_p A[i,p]·W[j,p]; A is (M,K) fp32, W is (N,K) bf16 (nn.Linear layout), C is (M,N).</summary>
    public static void Multiply(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<ushort> w, int ldw,
        Span<float> c, int ldc)
    {
        Bf16Gemm.Validate(m, n, k, a.Length, lda, w.Length, ldw, c.Length, ldc);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                c[i * ldc + j] = (float)Dot(w.Slice(j * ldw, k), a.Slice(i * lda, k));
            }
        }
    }

    private static double Dot(ReadOnlySpan<ushort> w, ReadOnlySpan<float> x)
    {
        double sum = 0;
        for (int p = 0; p < w.Length; p++)
        {
            sum += (double)Bf16.ToFloat(w[p]) * x[p];
        }
        return sum;
    }
}
