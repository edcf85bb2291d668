// Fast float32 GEMM, C = alpha·op(A)·op(B) + beta·C, for all four transpose combinations, strided and
// batched: a GotoBLAS/BLIS-style blocked driver over a register-tiled FMA micro-kernel, multithreaded.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

[assembly: InternalsVisibleTo("Lodestar.Kernels.Tests")]

namespace Lodestar.Kernels;

/// <summary>Which GEMM implementation runs: chosen by size, or forced (tests cover both on every shape).</summary>
internal enum GemmPath
{
    Auto,
    Small,
    Blocked,
}

public static unsafe partial class Gemm
{
    // Below this many multiply-adds packing costs more than it saves (a 48³ product is ~110k).
    private const long SmallProductMacs = 1L << 17;

    // Batches of products smaller than this run one product per thread instead of one product on all threads.
    private const long BatchItemParallelMacs = 1L << 21;

    /// <summary>C(m×n) = alpha·op(A)·op(B) + beta·C; op(A) is m×k (A is k×m when transposeA), op(B) is k×n
    /// (B is n×k when transposeB). beta == 0 overwrites C, ignoring NaNs there.</summary>
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        GemmShape.Validate(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0)
        {
            return;
        }
        fixed (float* pa = a, pb = b, pc = c)
        {
            MultiplyUnchecked(transposeA, transposeB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }

    /// <summary>`batch` independent products; matrix i of A, B, C starts at i·strideA, i·strideB, i·strideC.</summary>
    public static void MultiplyBatched(bool transposeA, bool transposeB, int batch, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, long strideA, ReadOnlySpan<float> b, int ldb, long strideB,
        float beta, Span<float> c, int ldc, long strideC)
    {
        GemmShape.ValidateBatched(transposeA, transposeB, batch, m, n, k, a.Length, lda, strideA, b.Length, ldb, strideB,
            c.Length, ldc, strideC);
        if (batch == 0 || m == 0 || n == 0)
        {
            return;
        }
        fixed (float* pa = a, pb = b, pc = c)
        {
            var body = new BatchBody
            {
                TransposeA = transposeA, TransposeB = transposeB, M = m, N = n, K = k, Alpha = alpha,
                A = pa, Lda = lda, StrideA = strideA, B = pb, Ldb = ldb, StrideB = strideB,
                Beta = beta, C = pc, Ldc = ldc, StrideC = strideC,
            };
            if ((long)m * n * k < BatchItemParallelMacs && batch > 1)
            {
                KernelThreads.For(batch, ref body);
            }
            else
            {
                for (int i = 0; i < batch; i++)
                {
                    body.Invoke(i);
                }
            }
        }
    }

    /// <summary>Multiply with the implementation forced (for tests); validates like Multiply.</summary>
    internal static void Multiply(GemmPath path, bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        GemmShape.Validate(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0)
        {
            return;
        }
        fixed (float* pa = a, pb = b, pc = c)
        {
            MultiplyUnchecked(transposeA, transposeB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, path);
        }
    }

    internal static void MultiplyUnchecked(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, GemmPath path = GemmPath.Auto)
    {
        if (k == 0 || alpha == 0)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        bool small = (long)m * n * k <= SmallProductMacs || m < MicroRows;
        if (path == GemmPath.Small || (path == GemmPath.Auto && small))
        {
            MultiplySmall(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        var source = new FloatPanelSource { B = b, Ldb = ldb, Transposed = transposeB };
        MultiplyBlocked(transposeA, m, n, k, alpha, a, lda, ref source, beta, c, ldc);
    }

    /// <summary>C ← beta·C, with beta == 0 writing zeros (so NaNs in C do not survive).</summary>
    internal static void ScaleC(int m, int n, float beta, float* c, int ldc)
    {
        if (beta == 1)
        {
            return;
        }
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0)
            {
                row.Clear();
            }
            else
            {
                ScaleRow(row, beta);
            }
        }
    }

    private static void ScaleRow(Span<float> row, float beta)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var scale = Vector256.Create(beta);
            fixed (float* p = row)
            {
                for (; j <= row.Length - Vector256<float>.Count; j += Vector256<float>.Count)
                {
                    Vector256.Store(Vector256.Load(p + j) * scale, p + j);
                }
            }
        }
        for (; j < row.Length; j++)
        {
            row[j] *= beta;
        }
    }

    private struct BatchBody : IParallelBody
    {
        public bool TransposeA, TransposeB;
        public int M, N, K, Lda, Ldb, Ldc;
        public float Alpha, Beta;
        public float* A, B, C;
        public long StrideA, StrideB, StrideC;

        public readonly void Invoke(int index) => MultiplyUnchecked(TransposeA, TransposeB, M, N, K, Alpha,
            A + index * StrideA, Lda, B + index * StrideB, Ldb, Beta, C + index * StrideC, Ldc);
    }
}
