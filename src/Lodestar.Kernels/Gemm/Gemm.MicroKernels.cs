// The GEMM micro-kernels: a 6×64 tile of Vector512 FMAs (AVX-512) and a 6×16 tile of Vector256 FMAs
// (AVX2 fallback), each the innermost loop of the blocked driver over packed, zero-padded panels.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lodestar.Kernels;

public static unsafe partial class Gemm
{
    /// <summary>Updates the rows×cols corner of a tile at c; full tiles go straight to C, edge tiles via a scratch tile.</summary>
    [SkipLocalsInit]
    private static void MicroKernel(int kc, float* a, long aRowStride, int aDepthStride, float* b, float* c, int ldc, float alpha, float beta, int rows, int cols)
    {
        int nr = MicroCols;
        if (rows == MicroRows && cols == nr)
        {
            RunTile(kc, a, aRowStride, aDepthStride, b, c, ldc, alpha, beta);
            return;
        }
        float* tile = stackalloc float[MicroRows * 64];
        RunTile(kc, a, aRowStride, aDepthStride, b, tile, nr, 1f, 0f);
        for (int r = 0; r < rows; r++)
        {
            float* src = tile + r * nr;
            float* dst = c + (long)r * ldc;
            for (int j = 0; j < cols; j++)
            {
                dst[j] = beta == 0 ? alpha * src[j] : alpha * src[j] + beta * dst[j];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunTile(int kc, float* a, long aRowStride, int aDepthStride, float* b, float* c, int ldc, float alpha, float beta)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Kernel6x64(kc, a, aRowStride, aDepthStride, b, c, ldc, alpha, beta);
        }
        else
        {
            Kernel6x16(kc, a, aRowStride, aDepthStride, b, c, ldc, alpha, beta);
        }
    }

    /// <summary>C(6×64) = alpha·A(6×kc)·Bp(kc×64) + beta·C: 24 Vector512 accumulators, 4 B vectors, broadcast A.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x64(int kc, float* a, long aRowStride, int aDepthStride, float* b, float* c, int ldc, float alpha, float beta)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;
        // A element (r, p) is at a[r·aRowStride + p·aDepthStride]: a packed tile (1, MR) or rows of A read in place (lda, 1).
        float* a0 = a, a1 = a + aRowStride, a2 = a + 2 * aRowStride, a3 = a + 3 * aRowStride, a4 = a + 4 * aRowStride, a5 = a + 5 * aRowStride;
        long at = 0;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var b2 = Vector512.Load(b + 32);
            var b3 = Vector512.Load(b + 48);
            var x0 = Vector512.Create(a0[at]);
            c00 = Vector512.FusedMultiplyAdd(x0, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(x0, b1, c01);
            c02 = Vector512.FusedMultiplyAdd(x0, b2, c02);
            c03 = Vector512.FusedMultiplyAdd(x0, b3, c03);
            var x1 = Vector512.Create(a1[at]);
            c10 = Vector512.FusedMultiplyAdd(x1, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(x1, b1, c11);
            c12 = Vector512.FusedMultiplyAdd(x1, b2, c12);
            c13 = Vector512.FusedMultiplyAdd(x1, b3, c13);
            var x2 = Vector512.Create(a2[at]);
            c20 = Vector512.FusedMultiplyAdd(x2, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(x2, b1, c21);
            c22 = Vector512.FusedMultiplyAdd(x2, b2, c22);
            c23 = Vector512.FusedMultiplyAdd(x2, b3, c23);
            var x3 = Vector512.Create(a3[at]);
            c30 = Vector512.FusedMultiplyAdd(x3, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(x3, b1, c31);
            c32 = Vector512.FusedMultiplyAdd(x3, b2, c32);
            c33 = Vector512.FusedMultiplyAdd(x3, b3, c33);
            var x4 = Vector512.Create(a4[at]);
            c40 = Vector512.FusedMultiplyAdd(x4, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(x4, b1, c41);
            c42 = Vector512.FusedMultiplyAdd(x4, b2, c42);
            c43 = Vector512.FusedMultiplyAdd(x4, b3, c43);
            var x5 = Vector512.Create(a5[at]);
            c50 = Vector512.FusedMultiplyAdd(x5, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(x5, b1, c51);
            c52 = Vector512.FusedMultiplyAdd(x5, b2, c52);
            c53 = Vector512.FusedMultiplyAdd(x5, b3, c53);
            at += aDepthStride;
            b += 64;
        }
        var va = Vector512.Create(alpha);
        Store512(c + 0 * (long)ldc, c00, c01, c02, c03, va, beta);
        Store512(c + 1 * (long)ldc, c10, c11, c12, c13, va, beta);
        Store512(c + 2 * (long)ldc, c20, c21, c22, c23, va, beta);
        Store512(c + 3 * (long)ldc, c30, c31, c32, c33, va, beta);
        Store512(c + 4 * (long)ldc, c40, c41, c42, c43, va, beta);
        Store512(c + 5 * (long)ldc, c50, c51, c52, c53, va, beta);
    }

    /// <summary>C(6×16) = alpha·A(6×kc)·Bp(kc×16) + beta·C: 12 Vector256 accumulators (fits 16 ymm registers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16(int kc, float* a, long aRowStride, int aDepthStride, float* b, float* c, int ldc, float alpha, float beta)
    {
        Vector256<float> c00 = default, c01 = default;
        Vector256<float> c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default;
        Vector256<float> c50 = default, c51 = default;
        // A element (r, p) is at a[r·aRowStride + p·aDepthStride]: a packed tile (1, MR) or rows of A read in place (lda, 1).
        float* a0 = a, a1 = a + aRowStride, a2 = a + 2 * aRowStride, a3 = a + 3 * aRowStride, a4 = a + 4 * aRowStride, a5 = a + 5 * aRowStride;
        long at = 0;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var x0 = Vector256.Create(a0[at]);
            c00 = Vector256.FusedMultiplyAdd(x0, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(x0, b1, c01);
            var x1 = Vector256.Create(a1[at]);
            c10 = Vector256.FusedMultiplyAdd(x1, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(x1, b1, c11);
            var x2 = Vector256.Create(a2[at]);
            c20 = Vector256.FusedMultiplyAdd(x2, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(x2, b1, c21);
            var x3 = Vector256.Create(a3[at]);
            c30 = Vector256.FusedMultiplyAdd(x3, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(x3, b1, c31);
            var x4 = Vector256.Create(a4[at]);
            c40 = Vector256.FusedMultiplyAdd(x4, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(x4, b1, c41);
            var x5 = Vector256.Create(a5[at]);
            c50 = Vector256.FusedMultiplyAdd(x5, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(x5, b1, c51);
            at += aDepthStride;
            b += 16;
        }
        var va = Vector256.Create(alpha);
        Store256(c + 0 * (long)ldc, c00, c01, va, beta);
        Store256(c + 1 * (long)ldc, c10, c11, va, beta);
        Store256(c + 2 * (long)ldc, c20, c21, va, beta);
        Store256(c + 3 * (long)ldc, c30, c31, va, beta);
        Store256(c + 4 * (long)ldc, c40, c41, va, beta);
        Store256(c + 5 * (long)ldc, c50, c51, va, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, Vector512<float> c0, Vector512<float> c1, Vector512<float> c2, Vector512<float> c3,
        Vector512<float> alpha, float beta)
    {
        if (beta == 0)
        {
            Vector512.Store(c0 * alpha, c);
            Vector512.Store(c1 * alpha, c + 16);
            Vector512.Store(c2 * alpha, c + 32);
            Vector512.Store(c3 * alpha, c + 48);
            return;
        }
        var vb = Vector512.Create(beta);
        Vector512.Store(Vector512.FusedMultiplyAdd(c0, alpha, Vector512.Load(c) * vb), c);
        Vector512.Store(Vector512.FusedMultiplyAdd(c1, alpha, Vector512.Load(c + 16) * vb), c + 16);
        Vector512.Store(Vector512.FusedMultiplyAdd(c2, alpha, Vector512.Load(c + 32) * vb), c + 32);
        Vector512.Store(Vector512.FusedMultiplyAdd(c3, alpha, Vector512.Load(c + 48) * vb), c + 48);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* c, Vector256<float> c0, Vector256<float> c1, Vector256<float> alpha, float beta)
    {
        if (beta == 0)
        {
            Vector256.Store(c0 * alpha, c);
            Vector256.Store(c1 * alpha, c + 8);
            return;
        }
        var vb = Vector256.Create(beta);
        Vector256.Store(Vector256.FusedMultiplyAdd(c0, alpha, Vector256.Load(c) * vb), c);
        Vector256.Store(Vector256.FusedMultiplyAdd(c1, alpha, Vector256.Load(c + 8) * vb), c + 8);
    }
}
