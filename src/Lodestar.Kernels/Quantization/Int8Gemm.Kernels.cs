// Int8 GEMM micro-kernels and output stage: vpmaddubsw on u8×s8 quads when activations fit 7 bits (where
// it cannot saturate), otherwise vpmaddwd on s16 pairs (u8 and s8 widened while packing); both exact.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lodestar.Kernels;

public static unsafe partial class Int8Gemm
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunTile(int pairs, int* a, int* b, int* tile, bool quads)
    {
        if (quads)
        {
            Kernel6x64Quads(pairs, a, b, tile);
        }
        else if (Avx512BW.IsSupported && Vector512.IsHardwareAccelerated)
        {
            Kernel6x64(pairs, a, b, tile);
        }
        else
        {
            Kernel6x16(pairs, a, b, tile);
        }
    }

    /// <summary>tile(6×64) = Σ_q Ap[q]·Bp[q] over u8×s8 quads: vpmaddubsw (exact for A ≤ 127: two products of
    /// at most 127·128 fit s16, FBGEMM's "reduce_range"), vpmaddwd with ones, vpaddd.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x64Quads(int quads, int* a, int* b, int* tile)
    {
        var ones = Vector512.Create((short)1);
        Vector512<int> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<int> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<int> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<int> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector512<int> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector512<int> c50 = default, c51 = default, c52 = default, c53 = default;
        for (int q = 0; q < quads; q++)
        {
            var b0 = Vector512.Load(b).AsSByte();
            var b1 = Vector512.Load(b + 16).AsSByte();
            var b2 = Vector512.Load(b + 32).AsSByte();
            var b3 = Vector512.Load(b + 48).AsSByte();
            var x0 = Vector512.Create(a[0]).AsByte();
            c00 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x0, b0), ones);
            c01 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x0, b1), ones);
            c02 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x0, b2), ones);
            c03 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x0, b3), ones);
            var x1 = Vector512.Create(a[1]).AsByte();
            c10 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x1, b0), ones);
            c11 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x1, b1), ones);
            c12 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x1, b2), ones);
            c13 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x1, b3), ones);
            var x2 = Vector512.Create(a[2]).AsByte();
            c20 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x2, b0), ones);
            c21 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x2, b1), ones);
            c22 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x2, b2), ones);
            c23 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x2, b3), ones);
            var x3 = Vector512.Create(a[3]).AsByte();
            c30 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x3, b0), ones);
            c31 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x3, b1), ones);
            c32 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x3, b2), ones);
            c33 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x3, b3), ones);
            var x4 = Vector512.Create(a[4]).AsByte();
            c40 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x4, b0), ones);
            c41 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x4, b1), ones);
            c42 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x4, b2), ones);
            c43 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x4, b3), ones);
            var x5 = Vector512.Create(a[5]).AsByte();
            c50 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x5, b0), ones);
            c51 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x5, b1), ones);
            c52 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x5, b2), ones);
            c53 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x5, b3), ones);
            a += MicroRows;
            b += 64;
        }
        Vector512.Store(c00, tile + 0);
        Vector512.Store(c01, tile + 16);
        Vector512.Store(c02, tile + 32);
        Vector512.Store(c03, tile + 48);
        Vector512.Store(c10, tile + 64);
        Vector512.Store(c11, tile + 80);
        Vector512.Store(c12, tile + 96);
        Vector512.Store(c13, tile + 112);
        Vector512.Store(c20, tile + 128);
        Vector512.Store(c21, tile + 144);
        Vector512.Store(c22, tile + 160);
        Vector512.Store(c23, tile + 176);
        Vector512.Store(c30, tile + 192);
        Vector512.Store(c31, tile + 208);
        Vector512.Store(c32, tile + 224);
        Vector512.Store(c33, tile + 240);
        Vector512.Store(c40, tile + 256);
        Vector512.Store(c41, tile + 272);
        Vector512.Store(c42, tile + 288);
        Vector512.Store(c43, tile + 304);
        Vector512.Store(c50, tile + 320);
        Vector512.Store(c51, tile + 336);
        Vector512.Store(c52, tile + 352);
        Vector512.Store(c53, tile + 368);
    }

    /// <summary>tile(6×64) = Σ_q Ap[q]·Bp[q] over s16 pairs: 24 Vector512&lt;int&gt; accumulators, vpmaddwd + vpaddd.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x64(int pairs, int* a, int* b, int* tile)
    {
        Vector512<int> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<int> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<int> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<int> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector512<int> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector512<int> c50 = default, c51 = default, c52 = default, c53 = default;
        for (int q = 0; q < pairs; q++)
        {
            var b0 = Vector512.Load(b).AsInt16();
            var b1 = Vector512.Load(b + 16).AsInt16();
            var b2 = Vector512.Load(b + 32).AsInt16();
            var b3 = Vector512.Load(b + 48).AsInt16();
            var x0 = Vector512.Create(a[0]).AsInt16();
            c00 += Avx512BW.MultiplyAddAdjacent(x0, b0);
            c01 += Avx512BW.MultiplyAddAdjacent(x0, b1);
            c02 += Avx512BW.MultiplyAddAdjacent(x0, b2);
            c03 += Avx512BW.MultiplyAddAdjacent(x0, b3);
            var x1 = Vector512.Create(a[1]).AsInt16();
            c10 += Avx512BW.MultiplyAddAdjacent(x1, b0);
            c11 += Avx512BW.MultiplyAddAdjacent(x1, b1);
            c12 += Avx512BW.MultiplyAddAdjacent(x1, b2);
            c13 += Avx512BW.MultiplyAddAdjacent(x1, b3);
            var x2 = Vector512.Create(a[2]).AsInt16();
            c20 += Avx512BW.MultiplyAddAdjacent(x2, b0);
            c21 += Avx512BW.MultiplyAddAdjacent(x2, b1);
            c22 += Avx512BW.MultiplyAddAdjacent(x2, b2);
            c23 += Avx512BW.MultiplyAddAdjacent(x2, b3);
            var x3 = Vector512.Create(a[3]).AsInt16();
            c30 += Avx512BW.MultiplyAddAdjacent(x3, b0);
            c31 += Avx512BW.MultiplyAddAdjacent(x3, b1);
            c32 += Avx512BW.MultiplyAddAdjacent(x3, b2);
            c33 += Avx512BW.MultiplyAddAdjacent(x3, b3);
            var x4 = Vector512.Create(a[4]).AsInt16();
            c40 += Avx512BW.MultiplyAddAdjacent(x4, b0);
            c41 += Avx512BW.MultiplyAddAdjacent(x4, b1);
            c42 += Avx512BW.MultiplyAddAdjacent(x4, b2);
            c43 += Avx512BW.MultiplyAddAdjacent(x4, b3);
            var x5 = Vector512.Create(a[5]).AsInt16();
            c50 += Avx512BW.MultiplyAddAdjacent(x5, b0);
            c51 += Avx512BW.MultiplyAddAdjacent(x5, b1);
            c52 += Avx512BW.MultiplyAddAdjacent(x5, b2);
            c53 += Avx512BW.MultiplyAddAdjacent(x5, b3);
            a += MicroRows;
            b += 64;
        }
        Vector512.Store(c00, tile + 0);
        Vector512.Store(c01, tile + 16);
        Vector512.Store(c02, tile + 32);
        Vector512.Store(c03, tile + 48);
        Vector512.Store(c10, tile + 64);
        Vector512.Store(c11, tile + 80);
        Vector512.Store(c12, tile + 96);
        Vector512.Store(c13, tile + 112);
        Vector512.Store(c20, tile + 128);
        Vector512.Store(c21, tile + 144);
        Vector512.Store(c22, tile + 160);
        Vector512.Store(c23, tile + 176);
        Vector512.Store(c30, tile + 192);
        Vector512.Store(c31, tile + 208);
        Vector512.Store(c32, tile + 224);
        Vector512.Store(c33, tile + 240);
        Vector512.Store(c40, tile + 256);
        Vector512.Store(c41, tile + 272);
        Vector512.Store(c42, tile + 288);
        Vector512.Store(c43, tile + 304);
        Vector512.Store(c50, tile + 320);
        Vector512.Store(c51, tile + 336);
        Vector512.Store(c52, tile + 352);
        Vector512.Store(c53, tile + 368);
    }

    /// <summary>tile(6×16) = Σ_q Ap[q]·Bp[q] over s16 pairs: 12 Vector256&lt;int&gt; accumulators (AVX2 vpmaddwd).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16(int pairs, int* a, int* b, int* tile)
    {
        Vector256<int> c00 = default, c01 = default;
        Vector256<int> c10 = default, c11 = default;
        Vector256<int> c20 = default, c21 = default;
        Vector256<int> c30 = default, c31 = default;
        Vector256<int> c40 = default, c41 = default;
        Vector256<int> c50 = default, c51 = default;
        for (int q = 0; q < pairs; q++)
        {
            var b0 = Vector256.Load(b).AsInt16();
            var b1 = Vector256.Load(b + 8).AsInt16();
            var x0 = Vector256.Create(a[0]).AsInt16();
            c00 += Avx2.MultiplyAddAdjacent(x0, b0);
            c01 += Avx2.MultiplyAddAdjacent(x0, b1);
            var x1 = Vector256.Create(a[1]).AsInt16();
            c10 += Avx2.MultiplyAddAdjacent(x1, b0);
            c11 += Avx2.MultiplyAddAdjacent(x1, b1);
            var x2 = Vector256.Create(a[2]).AsInt16();
            c20 += Avx2.MultiplyAddAdjacent(x2, b0);
            c21 += Avx2.MultiplyAddAdjacent(x2, b1);
            var x3 = Vector256.Create(a[3]).AsInt16();
            c30 += Avx2.MultiplyAddAdjacent(x3, b0);
            c31 += Avx2.MultiplyAddAdjacent(x3, b1);
            var x4 = Vector256.Create(a[4]).AsInt16();
            c40 += Avx2.MultiplyAddAdjacent(x4, b0);
            c41 += Avx2.MultiplyAddAdjacent(x4, b1);
            var x5 = Vector256.Create(a[5]).AsInt16();
            c50 += Avx2.MultiplyAddAdjacent(x5, b0);
            c51 += Avx2.MultiplyAddAdjacent(x5, b1);
            a += MicroRows;
            b += 16;
        }
        Vector256.Store(c00, tile + 0);
        Vector256.Store(c01, tile + 8);
        Vector256.Store(c10, tile + 16);
        Vector256.Store(c11, tile + 24);
        Vector256.Store(c20, tile + 32);
        Vector256.Store(c21, tile + 40);
        Vector256.Store(c30, tile + 48);
        Vector256.Store(c31, tile + 56);
        Vector256.Store(c40, tile + 64);
        Vector256.Store(c41, tile + 72);
        Vector256.Store(c50, tile + 80);
        Vector256.Store(c51, tile + 88);
    }
}

/// <summary>Where Int8Gemm writes: raw s32 sums, or floats scaled by aScale[i]·wScale[j] after subtracting
/// aZero[i]·Σ_p W[j,p] (the zero-point term of Σ_p (A − aZero)·W).</summary>
internal unsafe struct Int8Output
{
    public int* IntC;
    public float* FloatC, AScale, WScale;
    public byte* AZero;
    public int Ldc;

    /// <summary>Writes rows×cols sums from tile (leading dimension ld) at C[i0.., j0..]; columnSums[j] belongs to column j0 + j.</summary>
    public readonly void Write(int i0, int j0, int rows, int cols, int* tile, int ld, int* columnSums)
    {
        for (int r = 0; r < rows; r++)
        {
            int* sums = tile + r * ld;
            if (IntC != null)
            {
                Buffer.MemoryCopy(sums, IntC + (long)(i0 + r) * Ldc + j0, cols * sizeof(int), cols * sizeof(int));
                continue;
            }
            float* dst = FloatC + (long)(i0 + r) * Ldc + j0;
            float* wScale = WScale + j0;
            float aScale = AScale[i0 + r];
            int zero = AZero[i0 + r];
            int j = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var vz = Vector256.Create(zero);
                var va = Vector256.Create(aScale);
                for (; j + 8 <= cols; j += 8)
                {
                    var centered = Vector256.Load(sums + j) - vz * Vector256.Load(columnSums + j);
                    Vector256.Store(Vector256.ConvertToSingle(centered) * (va * Vector256.Load(wScale + j)), dst + j);
                }
            }
            for (; j < cols; j++)
            {
                dst[j] = aScale * wScale[j] * (sums[j] - zero * columnSums[j]);
            }
        }
    }
}
