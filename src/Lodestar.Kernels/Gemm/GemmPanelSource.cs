// Where the blocked GEMM reads op(B) from: fp32 matrices (plain or transposed) and, through the same
// driver, bf16 weights widened to fp32 while packing. A struct per source keeps the packing loop inlined.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

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
        // op(B)[p, j] = B[j, p]: each column of the sliver is a contiguous row of B, transposed 8×8 at a time.
        int col = 0;
        if (Avx.IsSupported)
        {
            for (; col + 8 <= cols; col += 8)
            {
                float* src = B + (long)(j0 + col) * Ldb + p0;
                int p = 0;
                for (; p + 8 <= kc; p += 8)
                {
                    Transpose8x8(src + p, Ldb, dst + (long)p * nr + col, nr);
                }
                for (; p < kc; p++)
                {
                    for (int c = 0; c < 8; c++)
                    {
                        dst[(long)p * nr + col + c] = src[(long)c * Ldb + p];
                    }
                }
            }
        }
        for (; col < cols; col++)
        {
            float* src = B + (long)(j0 + col) * Ldb + p0;
            float* d = dst + col;
            for (int p = 0; p < kc; p++)
            {
                d[p * nr] = src[p];
            }
        }
    }

    /// <summary>dst[i·ldd + r] = src[r·lds + i] for an 8×8 block (unpack / shuffle / lane-permute transpose).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8x8(float* src, long lds, float* dst, long ldd)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + lds);
        var r2 = Avx.LoadVector256(src + 2 * lds);
        var r3 = Avx.LoadVector256(src + 3 * lds);
        var r4 = Avx.LoadVector256(src + 4 * lds);
        var r5 = Avx.LoadVector256(src + 5 * lds);
        var r6 = Avx.LoadVector256(src + 6 * lds);
        var r7 = Avx.LoadVector256(src + 7 * lds);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * ldd, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * ldd, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * ldd, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * ldd, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * ldd, Avx.Permute2x128(u3, u7, 0x31));
    }
}
