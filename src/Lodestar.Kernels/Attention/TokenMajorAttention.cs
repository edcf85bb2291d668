// Attention for inference straight on the token-major (B,T,3C) qkv of the fused projection: per (sequence, head)
// the scores S = q·kᵀ/√D of a block of queries come from the GEMM micro-kernel, are softmaxed in place and
// multiplied by v into the (B,T,C) output. No head-major copies and no log-sum-exp (nothing runs backward), which
// at batch 1 (one sequence, four heads) made the FlashAttention path about 4x slower than its FLOPs.
using System.Runtime.Intrinsics;

namespace Lodestar.Kernels;

public static unsafe class TokenMajorAttention
{
    /// <summary>Longest sequence taken (a query block's scores, 48·T floats, stay in L2); longer ones use FlashAttention.</summary>
    public const int MaxTokens = 2048;

    // Query rows per block: eight micro-kernel row tiles; their scores (48×128 floats at T = 128) stay in L1.
    private const int QueryBlock = 8 * Gemm.MicroRows;

    /// <summary>True when Forward takes this shape and mask: no block mask and T ≤ MaxTokens.</summary>
    public static bool Supports(AttentionShape shape, in AttentionMask mask) => mask.Block is null && shape.Tokens <= MaxTokens;

    /// <summary>
    /// output (B,T,C) = softmax(mask(q·kᵀ/√D))·v for every head, with q | k | v read from qkv (B,T,3C), head h in
    /// columns h·D..(h+1)·D of each part (C = H·D). A query with no allowed key outputs 0. The mask may not be a
    /// block mask (see Supports).
    /// </summary>
    public static void Forward(AttentionShape shape, ReadOnlySpan<float> qkv, Span<float> output, in AttentionMask mask)
    {
        shape.Validate();
        mask.Validate(shape.Batch, shape.Tokens);
        if (!Supports(shape, mask))
        {
            throw new ArgumentException($"token-major attention: needs no block mask and T ≤ {MaxTokens} (T = {shape.Tokens}); use FlashAttention", nameof(mask));
        }
        shape.RequireLength(qkv.Length, nameof(qkv), 3 * shape.Elements);
        shape.RequireLength(output.Length, nameof(output), shape.Elements);
        if (shape.Elements == 0)
        {
            return;
        }
        fixed (float* qkvPointer = qkv, outputPointer = output)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                Run<Simd512, Vector512<float>>(shape, qkvPointer, outputPointer, mask);
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                Run<Simd256, Vector256<float>>(shape, qkvPointer, outputPointer, mask);
            }
            else
            {
                Run<Simd128, Vector128<float>>(shape, qkvPointer, outputPointer, mask);
            }
        }
    }

    private static void Run<TSimd, TVec>(AttentionShape shape, float* qkv, float* output, in AttentionMask mask)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int heads = shape.Batch * shape.Heads, threads = KernelThreads.Count;
        int blocks = (shape.Tokens + QueryBlock - 1) / QueryBlock;
        // Split a head's query blocks over several items only when there are fewer heads than threads
        // (each item then packs that head's k and v again).
        int chunks = heads >= threads ? 1 : Math.Min(blocks, (threads + heads - 1) / heads);
        var body = new HeadBody<TSimd, TVec>
        {
            Qkv = qkv, Output = output, Shape = shape, Mask = mask, Chunks = chunks,
            Masked = mask.Causal || mask.KeyLengths is not null || mask.KeyKeep is not null || mask.IsolatedPrefix is not null,
        };
        KernelThreads.For(heads * chunks, ref body);
    }

    private struct HeadBody<TSimd, TVec> : IParallelBody
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        public float* Qkv, Output;
        public AttentionShape Shape;
        public AttentionMask Mask;
        public int Chunks;
        public bool Masked;

        public readonly void Invoke(int index)
        {
            int t = Shape.Tokens, d = Shape.HeadDim, channels = Shape.Heads * d, ld = 3 * channels, nr = Gemm.MicroCols;
            int head = index / Chunks, chunk = index % Chunks, batch = head / Shape.Heads;
            float* q = Qkv + ((long)batch * t * ld) + ((head % Shape.Heads) * d);
            float* o = Output + ((long)batch * t * channels) + ((head % Shape.Heads) * d);
            int keySlivers = (t + nr - 1) / nr, valueSlivers = (d + nr - 1) / nr, ldS = keySlivers * nr;
            float* keys = KernelScratch.Get(0, (long)keySlivers * d * nr);
            float* values = KernelScratch.Get(1, (long)valueSlivers * t * nr);
            float* scores = KernelScratch.Get(2, (long)QueryBlock * ldS);
            float* edge = KernelScratch.Get(3, (long)Gemm.MicroRows * d);
            float* inverseSums = KernelScratch.Get(4, QueryBlock);
            PackKeys(q + channels, ld, t, d, keys, nr);
            PackValues(q + (2 * channels), ld, t, d, values, nr);
            int blocks = (t + QueryBlock - 1) / QueryBlock;
            for (int block = chunk; block < blocks; block += Chunks)
            {
                int i0 = block * QueryBlock, rows = Math.Min(QueryBlock, t - i0);
                Scores(q, ld, i0, rows, keys, scores, ldS, edge);
                Softmax(batch, i0, rows, scores, ldS, inverseSums);
                for (int r0 = 0; r0 < rows; r0 += Gemm.MicroRows)
                {
                    // O = P·V; rows past the block's end read (and drop) scratch rows of scores.
                    int tileRows = Math.Min(Gemm.MicroRows, rows - r0);
                    for (int s = 0; s < valueSlivers; s++)
                    {
                        Gemm.TileProduct(t, scores + ((long)r0 * ldS), ldS, values + ((long)s * t * nr),
                            o + ((long)(i0 + r0) * channels) + (s * nr), channels, 1f, tileRows, Math.Min(nr, d - (s * nr)));
                    }
                }
                for (int r = 0; r < rows; r++)
                {
                    TileMath.Scale<TSimd, TVec>(o + ((long)(i0 + r) * channels), d, inverseSums[r]);
                }
            }
        }

        /// <summary>scores (rows, T) = q·kᵀ/√D for queries i0.. (q rows of stride ld, read in place when a whole tile).</summary>
        private readonly void Scores(float* q, int ld, int i0, int rows, float* keys, float* scores, int ldS, float* edge)
        {
            int t = Shape.Tokens, d = Shape.HeadDim, nr = Gemm.MicroCols, mr = Gemm.MicroRows;
            for (int r0 = 0; r0 < rows; r0 += mr)
            {
                int tileRows = Math.Min(mr, rows - r0);
                float* a = q + ((long)(i0 + r0) * ld);
                long aStride = ld;
                if (tileRows < mr)
                {
                    // The micro-kernel reads six rows; the last tile of a sequence is copied, zero-padded.
                    for (int r = 0; r < mr; r++)
                    {
                        var row = new Span<float>(edge + ((long)r * d), d);
                        if (r < tileRows)
                        {
                            new ReadOnlySpan<float>(a + ((long)r * ld), d).CopyTo(row);
                        }
                        else
                        {
                            row.Clear();
                        }
                    }
                    a = edge;
                    aStride = d;
                }
                for (int s = 0; s * nr < t; s++)
                {
                    Gemm.TileProduct(d, a, aStride, keys + ((long)s * d * nr), scores + ((long)r0 * ldS) + (s * nr), ldS, Shape.Scale,
                        tileRows, Math.Min(nr, t - (s * nr)));
                }
            }
        }

        /// <summary>Each score row becomes exp(s − max) over its allowed keys; inverseSums[r] = 1/Σ (0 for a row with no key).</summary>
        private readonly void Softmax(int batch, int i0, int rows, float* scores, int ldS, float* inverseSums)
        {
            int t = Shape.Tokens;
            for (int r = 0; r < rows; r++)
            {
                float* s = scores + ((long)r * ldS);
                if (Masked)
                {
                    for (int key = 0; key < t; key++)
                    {
                        if (!Mask.Allows(batch, t, i0 + r, key))
                        {
                            s[key] = float.NegativeInfinity;
                        }
                    }
                }
                float max = TileMath.Max<TSimd, TVec>(s, t);
                if (max == float.NegativeInfinity)
                {
                    new Span<float>(s, t).Clear();
                    inverseSums[r] = 0f;
                    continue;
                }
                inverseSums[r] = 1f / TileMath.ExpShiftSum<TSimd, TVec>(s, t, max);
            }
        }
    }

    /// <summary>keys (T,D) of row stride ld → kᵀ in micro-kernel slivers: sliver s holds keys s·nr.. as D×nr, zero-padded.</summary>
    private static void PackKeys(float* k, int ld, int t, int d, float* packed, int nr)
    {
        for (int s = 0; s * nr < t; s++)
        {
            float* sliver = packed + ((long)s * d * nr);
            int keys = Math.Min(nr, t - (s * nr));
            if (keys < nr)
            {
                new Span<float>(sliver, d * nr).Clear();
            }
            for (int j = 0; j < keys; j++)
            {
                float* row = k + ((long)((s * nr) + j) * ld);
                for (int p = 0; p < d; p++)
                {
                    sliver[(p * nr) + j] = row[p];
                }
            }
        }
    }

    /// <summary>values (T,D) of row stride ld → slivers of nr columns, each T×nr (zero-padded past D).</summary>
    private static void PackValues(float* v, int ld, int t, int d, float* packed, int nr)
    {
        for (int s = 0; s * nr < d; s++)
        {
            float* sliver = packed + ((long)s * t * nr);
            int columns = Math.Min(nr, d - (s * nr));
            for (int key = 0; key < t; key++)
            {
                var destination = new Span<float>(sliver + ((long)key * nr), nr);
                new ReadOnlySpan<float>(v + ((long)key * ld) + (s * nr), columns).CopyTo(destination);
                destination[columns..].Clear();
            }
        }
    }
}
