// Argument checks shared by every GEMM entry point (fp32, int8, bf16, fast and reference): dimensions,
// leading dimensions and span lengths, with messages that name the offending argument.
namespace Lodestar.Kernels;

internal static class GemmShape
{
    /// <summary>Elements a rows×cols row-major matrix with leading dimension ld occupies.</summary>
    public static long Extent(int rows, int cols, int ld) => rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;

    public static void Validate(bool transposeA, bool transposeB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        CheckDimensions(m, n, k);
        CheckMatrix("a", "lda", transposeA ? k : m, transposeA ? m : k, aLength, lda);
        CheckMatrix("b", "ldb", transposeB ? n : k, transposeB ? k : n, bLength, ldb);
        CheckMatrix("c", "ldc", m, n, cLength, ldc);
    }

    public static void ValidateBatched(bool transposeA, bool transposeB, int batch, int m, int n, int k,
        int aLength, int lda, long strideA, int bLength, int ldb, long strideB, int cLength, int ldc, long strideC)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        CheckDimensions(m, n, k);
        CheckBatch("a", "lda", "strideA", batch, transposeA ? k : m, transposeA ? m : k, aLength, lda, strideA);
        CheckBatch("b", "ldb", "strideB", batch, transposeB ? n : k, transposeB ? k : n, bLength, ldb, strideB);
        CheckBatch("c", "ldc", "strideC", batch, m, n, cLength, ldc, strideC);
    }

    public static void CheckDimensions(int m, int n, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
    }

    public static void CheckMatrix(string name, string ldName, int rows, int cols, int length, int ld)
    {
        CheckLeadingDimension(name, ldName, cols, ld);
        long needed = Extent(rows, cols, ld);
        if (length < needed)
        {
            throw new ArgumentException($"{name} has {length} elements but a {rows}×{cols} matrix with {ldName}={ld} needs {needed}.", name);
        }
    }

    private static void CheckBatch(string name, string ldName, string strideName, int batch, int rows, int cols, int length,
        int ld, long stride)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stride, strideName);
        CheckLeadingDimension(name, ldName, cols, ld);
        long extent = Extent(rows, cols, ld);
        long needed = batch == 0 || extent == 0 ? 0 : (batch - 1) * stride + extent;
        if (length < needed)
        {
            throw new ArgumentException($"{name} has {length} elements but {batch} matrices of {rows}×{cols} with {ldName}={ld}, {strideName}={stride} need {needed}.", name);
        }
    }

    private static void CheckLeadingDimension(string name, string ldName, int cols, int ld)
    {
        if (ld < Math.Max(1, cols))
        {
            throw new ArgumentOutOfRangeException(ldName, ld, $"{ldName} must be at least {Math.Max(1, cols)} (the row length of {name}).");
        }
    }
}
