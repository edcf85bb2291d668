// The engine's single door to matrix multiplication (C = alpha·op(A)·op(B) + beta·C, row-major),
// so every op multiplies through the same kernel (Lodestar.Kernels.Gemm) and it can change in one place.
using System.Diagnostics;

namespace Lodestar.Tensors;

internal static class Blas
{
    public static void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        var profile = OpProfile.Current;
        var start = profile is null ? 0 : Stopwatch.GetTimestamp();
        Kernels.Gemm.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        profile?.Add("gemm", OpProfile.GemmName(transposeA, transposeB, m, n, k), start, 2.0 * m * n * k);
    }
}
