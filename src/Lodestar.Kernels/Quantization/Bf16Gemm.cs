// bf16-weight × fp32-activation products for inference with half-size weights: a GEMV that widens bf16
// to fp32 in registers (a 16-bit shift), and a GEMM that widens while packing into the fp32 GEMM's panels.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lodestar.Kernels;

public static unsafe class Bf16Gemm
{
    // Rows of W per parallel GEMV item: enough work (≥ 64 rows × K) to amortize the hand-off.
    private const int VectorRowsPerItem = 64;

    /// <summary>y[j] = Σ_p W[j,p]·x[p]; W is (N,K) bf16 with ldw, x is (K) fp32, y is (N) fp32.</summary>
    public static void MultiplyVector(int n, int k, ReadOnlySpan<ushort> w, int ldw, ReadOnlySpan<float> x, Span<float> y)
    {
        ValidateVector(n, k, w.Length, ldw, x.Length, y.Length);
        fixed (ushort* pw = w)
        fixed (float* px = x, py = y)
        {
            var body = new VectorBody { W = pw, Ldw = ldw, X = px, Y = py, N = n, K = k };
            KernelThreads.For((n + VectorRowsPerItem - 1) / VectorRowsPerItem, ref body);
        }
    }

    /// <summary>C[i,j] = Σ_p A[i,p]·W[j,p]; A is (M,K) fp32 with lda, W is (N,K) bf16 with ldw (nn.Linear
    /// layout), C is (M,N) fp32 with ldc and is overwritten.</summary>
    public static void Multiply(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<ushort> w, int ldw,
        Span<float> c, int ldc)
    {
        Validate(m, n, k, a.Length, lda, w.Length, ldw, c.Length, ldc);
        if (m == 0 || n == 0)
        {
            return;
        }
        fixed (float* pa = a, pc = c)
        fixed (ushort* pw = w)
        {
            if (m < Gemm.MicroRows || k == 0)
            {
                // Thin products are GEMVs: one pass over the weights per row of A.
                for (int i = 0; i < m; i++)
                {
                    var body = new VectorBody { W = pw, Ldw = ldw, X = pa + (long)i * lda, Y = pc + (long)i * ldc, N = n, K = k };
                    KernelThreads.For((n + VectorRowsPerItem - 1) / VectorRowsPerItem, ref body);
                }
                return;
            }
            var source = new Bf16PanelSource { W = pw, Ldw = ldw };
            Gemm.MultiplyBlocked(false, m, n, k, 1f, pa, lda, ref source, 0f, pc, ldc);
        }
    }

    internal static void ValidateVector(int n, int k, int wLength, int ldw, int xLength, int yLength)
    {
        GemmShape.CheckDimensions(1, n, k);
        GemmShape.CheckMatrix("w", "ldw", n, k, wLength, ldw);
        GemmShape.CheckMatrix("x", "k", 1, k, xLength, Math.Max(1, k));
        GemmShape.CheckMatrix("y", "n", 1, n, yLength, Math.Max(1, n));
    }

    internal static void Validate(int m, int n, int k, int aLength, int lda, int wLength, int ldw, int cLength, int ldc)
    {
        GemmShape.CheckDimensions(m, n, k);
        GemmShape.CheckMatrix("a", "lda", m, k, aLength, lda);
        GemmShape.CheckMatrix("w", "ldw", n, k, wLength, ldw);
        GemmShape.CheckMatrix("c", "ldc", m, n, cLength, ldc);
    }

    /// <summary>Σ_p bf16(w[p])·x[p], widening 16 (or 8) weights per step with a zero-extend and a 16-bit shift.</summary>
    internal static float Dot(ushort* w, float* x, int k)
    {
        int p = 0;
        float sum = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var s0 = Vector512<float>.Zero;
            var s1 = Vector512<float>.Zero;
            for (; p + 32 <= k; p += 32)
            {
                s0 = Vector512.FusedMultiplyAdd(Widen16(w + p), Vector512.Load(x + p), s0);
                s1 = Vector512.FusedMultiplyAdd(Widen16(w + p + 16), Vector512.Load(x + p + 16), s1);
            }
            for (; p + 16 <= k; p += 16)
            {
                s0 = Vector512.FusedMultiplyAdd(Widen16(w + p), Vector512.Load(x + p), s0);
            }
            sum = Vector512.Sum(s0 + s1);
        }
        else if (Avx2.IsSupported)
        {
            var s0 = Vector256<float>.Zero;
            var s1 = Vector256<float>.Zero;
            for (; p + 16 <= k; p += 16)
            {
                s0 = Vector256.FusedMultiplyAdd(Widen8(w + p), Vector256.Load(x + p), s0);
                s1 = Vector256.FusedMultiplyAdd(Widen8(w + p + 8), Vector256.Load(x + p + 8), s1);
            }
            for (; p + 8 <= k; p += 8)
            {
                s0 = Vector256.FusedMultiplyAdd(Widen8(w + p), Vector256.Load(x + p), s0);
            }
            sum = Vector256.Sum(s0 + s1);
        }
        for (; p < k; p++)
        {
            sum = MathF.FusedMultiplyAdd(Bf16.ToFloat(w[p]), x[p], sum);
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Widen16(ushort* w) =>
        Vector512.ShiftLeft(Avx512F.ConvertToVector512UInt32(Vector256.Load(w)), 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Widen8(ushort* w) =>
        Vector256.ShiftLeft(Avx2.ConvertToVector256Int32(w).AsUInt32(), 16).AsSingle();

    private struct VectorBody : IParallelBody
    {
        public ushort* W;
        public float* X, Y;
        public int Ldw, N, K;

        public readonly void Invoke(int item)
        {
            int end = Math.Min(N, (item + 1) * VectorRowsPerItem);
            for (int j = item * VectorRowsPerItem; j < end; j++)
            {
                Y[j] = Dot(W + (long)j * Ldw, X, K);
            }
        }
    }
}

/// <summary>op(B) = Wᵀ for a bf16 (N,K) weight: slivers are widened to fp32 and transposed 8×8 at a time.</summary>
internal unsafe struct Bf16PanelSource : IPanelSource
{
    public ushort* W;
    public int Ldw;

    [SkipLocalsInit]
    public readonly void PackSliver(float* dst, int p0, int kc, int j0, int cols, int nr)
    {
        if (cols < nr)
        {
            new Span<float>(dst, kc * nr).Clear();
        }
        float* block = stackalloc float[64];
        int col = 0;
        if (Avx2.IsSupported)
        {
            for (; col + 8 <= cols; col += 8)
            {
                ushort* src = W + (long)(j0 + col) * Ldw + p0;
                int p = 0;
                for (; p + 8 <= kc; p += 8)
                {
                    for (int r = 0; r < 8; r++)
                    {
                        Bf16Gemm.Widen8(src + (long)r * Ldw + p).Store(block + r * 8);
                    }
                    FloatPanelSource.Transpose8x8(block, 8, dst + (long)p * nr + col, nr);
                }
                for (; p < kc; p++)
                {
                    for (int r = 0; r < 8; r++)
                    {
                        dst[(long)p * nr + col + r] = Bf16.ToFloat(src[(long)r * Ldw + p]);
                    }
                }
            }
        }
        for (; col < cols; col++)
        {
            ushort* src = W + (long)(j0 + col) * Ldw + p0;
            for (int p = 0; p < kc; p++)
            {
                dst[(long)p * nr + col] = Bf16.ToFloat(src[p]);
            }
        }
    }
}
