// Where the blocked GEMM reads op(B) from: fp32 matrices (plain or transposed) and, through the same
// driver, bf16 weights widened to fp32 while packing. A struct per source keeps the packing loop inlined.
namespace Lodestar.Kernels;

internal unsafe interface IPanelSource
{
    /// <summary>Packs op(B) depth [p0, p0+kc) × columns [j0, j0+cols) as dst[p·nr + col], zero-padding to nr columns.</summary>
    void PackSliver(float* dst, int p0, int kc, int j0, int cols, int nr);
}

internal unsafe struct FloatPanelSource : IPanelSource
{
    public float* B;
    public int Ldb;
    public bool Transposed;

    public readonly void PackSliver(float* dst, int p0, int kc, int j0, int cols, int nr)
    {
        if (cols < nr)
        {
            new Span<float>(dst, kc * nr).Clear();
        }
        if (!Transposed)
        {
            for (int p = 0; p < kc; p++)
            {
                Buffer.MemoryCopy(B + (long)(p0 + p) * Ldb + j0, dst + p * nr, cols * sizeof(float), cols * sizeof(float));
            }
            return;
        }
        // op(B)[p, j] = B[j, p]: each column of the sliver is a contiguous row of B.
        for (int col = 0; col < cols; col++)
        {
            float* src = B + (long)(j0 + col) * Ldb + p0;
            float* d = dst + col;
            for (int p = 0; p < kc; p++)
            {
                d[p * nr] = src[p];
            }
        }
    }
}
