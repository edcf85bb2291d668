// Inference GEMM against weights packed once (PackedWeight) with a fused epilogue (bias, GELU, residual):
// at batch 1 a Linear is a ~128-row product, so packing B on every call and extra passes over C cost much.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lodestar.Kernels;

/// <summary>A (N,K) PyTorch-layout weight packed as op(B) = Wᵀ for the micro-kernel: for each DepthBlock of K,
/// every nr-column sliver as kc×nr floats. A snapshot: repack after the weight changes.</summary>
public sealed class PackedWeight
{
    internal PackedWeight(int outFeatures, int inFeatures, int slivers, float[] panels)
    {
        OutFeatures = outFeatures;
        InFeatures = inFeatures;
        Slivers = slivers;
        Panels = panels;
    }

    /// <summary>N, the output features (rows of the unpacked weight).</summary>
    public int OutFeatures { get; }

    /// <summary>K, the input features (columns of the unpacked weight).</summary>
    public int InFeatures { get; }

    internal int Slivers { get; }

    internal float[] Panels { get; }
}

public static unsafe partial class Gemm
{
    // Products below this many multiply-adds run on the calling thread (the handoff costs a few µs).
    private const long PackedParallelMacs = 1L << 18;

    // Packed B bytes a group of slivers may span so that it stays in L2 while the row tiles stream past it.
    private const int PackedGroupBytes = 256 * 1024;

    /// <summary>Packs weight (N,K), row-major as a PyTorch Linear weight, for MultiplyPacked.</summary>
    public static PackedWeight PackWeight(ReadOnlySpan<float> weight, int outFeatures, int inFeatures)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        SimdLoops.RequireLength(weight.Length, outFeatures * inFeatures, nameof(weight));
        int nr = MicroCols, slivers = (outFeatures + nr - 1) / nr;
        var panels = GC.AllocateUninitializedArray<float>(inFeatures * slivers * nr, pinned: true);
        fixed (float* w = weight)
        {
            var source = new FloatPanelSource { B = w, Ldb = inFeatures, Transposed = true };
            fixed (float* p = panels)
            {
                for (int p0 = 0; p0 < inFeatures; p0 += DepthBlock)
                {
                    int kc = Math.Min(DepthBlock, inFeatures - p0);
                    for (int s = 0; s < slivers; s++)
                    {
                        source.PackSliver(p + PanelOffset(p0, kc, s, slivers, nr), p0, kc, s * nr, Math.Min(nr, outFeatures - (s * nr)), nr);
                    }
                }
            }
        }
        return new PackedWeight(outFeatures, inFeatures, slivers, panels);
    }

    /// <summary>C(M,N) = epilogue(A(M,K)·Wᵀ): + bias (N) on every row, then GELU (tanh) when gelu, then + residual
    /// (M,N, row stride ldc). bias and residual may be empty; residual must not overlap C.</summary>
    public static void MultiplyPacked(int m, ReadOnlySpan<float> a, int lda, PackedWeight weight, ReadOnlySpan<float> bias, bool gelu,
        ReadOnlySpan<float> residual, Span<float> c, int ldc)
    {
        ArgumentNullException.ThrowIfNull(weight);
        int n = weight.OutFeatures, k = weight.InFeatures;
        GemmShape.Validate(false, false, m, n, k, a.Length, lda, k * n, n, c.Length, ldc);
        if (!bias.IsEmpty) SimdLoops.RequireLength(bias.Length, n, nameof(bias));
        if (!residual.IsEmpty) SimdLoops.RequireLength(residual.Length, ((m - 1) * ldc) + n, nameof(residual));
        if (m == 0)
        {
            return;
        }
        fixed (float* pa = a, pb = weight.Panels, pc = c, pbias = bias, pres = residual)
        {
            int threads = KernelThreads.IsInsideParallelLoop || (long)m * n * k < PackedParallelMacs ? 1 : KernelThreads.Count;
            int rowTiles = (m + MicroRows - 1) / MicroRows;
            var body = new PackedBody
            {
                A = pa, Lda = lda, Panels = pb, C = pc, Ldc = ldc, Bias = pbias, Residual = pres, ApplyGelu = gelu,
                M = m, N = n, K = k, Slivers = weight.Slivers, RowTiles = rowTiles,
                // Split rows when there are enough tiles for every thread, columns otherwise.
                RowItems = Math.Min(rowTiles, threads), ColumnItems = rowTiles >= threads ? 1 : Math.Min(weight.Slivers, threads),
            };
            KernelThreads.For(body.RowItems * body.ColumnItems, ref body);
        }
    }

    /// <summary>C(rows×cols) = alpha·A(rows×kc)·Bp(kc×cols) for one micro-kernel tile, for kernels outside the GEMM
    /// drivers (TokenMajorAttention). A rows are read in place (stride aRowStride): six must be readable even when
    /// rows &lt; MicroRows; Bp is one packed sliver (kc×MicroCols, zero-padded past cols).</summary>
    internal static void TileProduct(int kc, float* a, long aRowStride, float* packedB, float* c, int ldc, float alpha, int rows, int cols) =>
        MicroKernel(kc, a, aRowStride, 1, packedB, c, ldc, alpha, 0f, rows, cols);

    /// <summary>Offset of sliver s of the depth block starting at p0 (kc deep) in the packed panels.</summary>
    private static long PanelOffset(int p0, int kc, int s, int slivers, int nr) => ((long)p0 * slivers * nr) + ((long)s * kc * nr);

    // GELU_tanh(x) = ½x(1 + tanh u) = x·σ(2u) = x / (1 + e^(−2u)) with u = √(2/π)(x + 0.044715x³): the same function
    // as Gelu.TanhForward with one exp, one divide and no sign juggling (−2u = x·(GeluLinear + GeluCubic·x²)).
    private const float GeluLinear = -2f * Gelu.TanhScale, GeluCubic = -2f * Gelu.TanhScale * Gelu.Cubic;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec GeluSigmoidForm<TSimd, TVec>(TVec x) where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        TVec minusTwoU = TSimd.Multiply(x, TSimd.MultiplyAdd(TSimd.Multiply(x, x), TSimd.Broadcast(GeluCubic), TSimd.Broadcast(GeluLinear)));
        return TSimd.Divide(x, TSimd.Add(TSimd.Broadcast(1f), FastExp.Exp<TSimd, TVec>(minusTwoU)));
    }

    /// <summary>Scalar twin of GeluSigmoidForm, operation for operation.</summary>
    private static float GeluSigmoidForm(float x) => x / (1f + FastExp.Exp(x * MathF.FusedMultiplyAdd(x * x, GeluCubic, GeluLinear)));

    private struct PackedBody : IParallelBody
    {
        public float* A, Panels, C, Bias, Residual;
        public int Lda, Ldc, M, N, K, Slivers, RowTiles, RowItems, ColumnItems;
        public bool ApplyGelu;

        public readonly void Invoke(int item)
        {
            int nr = MicroCols, rowItem = item / ColumnItems, columnItem = item % ColumnItems;
            int t0 = (int)((long)rowItem * RowTiles / RowItems), t1 = (int)((long)(rowItem + 1) * RowTiles / RowItems);
            int s0 = (int)((long)columnItem * Slivers / ColumnItems), s1 = (int)((long)(columnItem + 1) * Slivers / ColumnItems);
            int group = Math.Max(1, PackedGroupBytes / (K * nr * sizeof(float)));
            float* packedA = GemmBuffers.PackedA();
            for (int g0 = s0; g0 < s1; g0 += group)
            {
                int g1 = Math.Min(s1, g0 + group);
                for (int t = t0; t < t1; t++)
                {
                    int i0 = t * MicroRows, rows = Math.Min(MicroRows, M - i0);
                    for (int s = g0; s < g1; s++)
                    {
                        int j = s * nr, cols = Math.Min(nr, N - j);
                        float* tileC = C + ((long)i0 * Ldc) + j;
                        for (int p0 = 0; p0 < K; p0 += DepthBlock)
                        {
                            int kc = Math.Min(DepthBlock, K - p0);
                            float* tileA = TileOfPlainA(A, Lda, packedA, i0, rows, p0, kc, out long rowStride, out int depthStride);
                            MicroKernel(kc, tileA, rowStride, depthStride, Panels + PanelOffset(p0, kc, s, Slivers, nr), tileC, Ldc,
                                1f, p0 == 0 ? 0f : 1f, rows, cols);
                        }
                        Epilogue(tileC, i0, j, rows, cols);
                    }
                }
            }
        }

        /// <summary>The rows×cols tile at tileC (rows i0.., columns j..): + bias, GELU, + residual in one pass over
        /// registers per vector (no per-row span calls: at batch 1 these small tiles made the epilogue ~15% of fc1).</summary>
        private readonly void Epilogue(float* tileC, int i0, int j, int rows, int cols)
        {
            if (Bias == null && !ApplyGelu && Residual == null)
            {
                return;
            }
            if (Vector512.IsHardwareAccelerated)
            {
                EpilogueRows<Simd512, Vector512<float>>(tileC, i0, j, rows, cols);
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                EpilogueRows<Simd256, Vector256<float>>(tileC, i0, j, rows, cols);
            }
            else
            {
                EpilogueRows<Simd128, Vector128<float>>(tileC, i0, j, rows, cols);
            }
        }

        private readonly void EpilogueRows<TSimd, TVec>(float* tileC, int i0, int j, int rows, int cols)
            where TSimd : struct, IFloatSimd<TVec> where TVec : struct
        {
            int w = TSimd.Width;
            for (int r = 0; r < rows; r++)
            {
                float* row = tileC + ((long)r * Ldc);
                float* residual = Residual == null ? null : Residual + ((long)(i0 + r) * Ldc) + j;
                int c = 0;
                for (; c + w <= cols; c += w)
                {
                    TVec v = TSimd.Load(ref row[c]);
                    if (Bias != null)
                    {
                        v = TSimd.Add(v, TSimd.Load(ref Bias[j + c]));
                    }
                    if (ApplyGelu)
                    {
                        v = GeluSigmoidForm<TSimd, TVec>(v);
                    }
                    if (residual != null)
                    {
                        v = TSimd.Add(v, TSimd.Load(ref residual[c]));
                    }
                    TSimd.Store(v, ref row[c]);
                }
                for (; c < cols; c++)
                {
                    float v = row[c];
                    if (Bias != null)
                    {
                        v += Bias[j + c];
                    }
                    if (ApplyGelu)
                    {
                        v = GeluSigmoidForm(v);
                    }
                    if (residual != null)
                    {
                        v += residual[c];
                    }
                    row[c] = v;
                }
            }
        }
    }
}
