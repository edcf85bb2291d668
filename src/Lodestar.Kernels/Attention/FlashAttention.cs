// Fused scaled-dot-product attention (FlashAttention-2, Dao 2023): tiles of queries meet tiles of keys with
// an online softmax (running max and sum), never materialising the T×T scores; only the per-row
// log-sum-exp is kept for the backward pass. Block masks make the cost follow the allowed area.
using System.Runtime.Intrinsics;

namespace Lodestar.Kernels;

public static unsafe partial class FlashAttention
{
    /// <summary>
    /// output = softmax(mask(q·kᵀ/√D))·v. q, k, v, output are (B,H,T,D) contiguous; logSumExp is (B,H,T) and
    /// receives ln Σ_j exp(s_ij) per query row (−∞ for a row with no allowed key, whose output is 0).
    /// </summary>
    public static void Forward(AttentionShape shape, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v,
        Span<float> output, Span<float> logSumExp, in AttentionMask mask)
    {
        shape.Validate();
        mask.Validate(shape.Batch, shape.Tokens);
        shape.RequireLength(q.Length, nameof(q), shape.Elements);
        shape.RequireLength(k.Length, nameof(k), shape.Elements);
        shape.RequireLength(v.Length, nameof(v), shape.Elements);
        shape.RequireLength(output.Length, nameof(output), shape.Elements);
        shape.RequireLength(logSumExp.Length, nameof(logSumExp), (long)shape.Batch * shape.Heads * shape.Tokens);
        if (shape.Elements == 0)
        {
            return;
        }
        fixed (float* qp = q, kp = k, vp = v, op = output, lp = logSumExp)
        {
            var pointers = new HeadPointers(qp, kp, vp, op, lp, AttentionStrides.HeadMajor(shape), AttentionStrides.HeadMajor(shape));
            RunForward(shape, pointers, mask);
        }
    }

    /// <summary>
    /// Forward on a packed qkv (B,T,3C) read in place (no (B,H,T,D) copies): head h of q, k, v in columns
    /// h·D.. of parts 0, 1, 2; output is (B,T,C); logSumExp is (B,H,T) as in <see cref="Forward"/>.
    /// </summary>
    public static void ForwardPacked(AttentionShape shape, ReadOnlySpan<float> qkv, Span<float> output, Span<float> logSumExp, in AttentionMask mask)
    {
        shape.Validate();
        mask.Validate(shape.Batch, shape.Tokens);
        shape.RequireLength(qkv.Length, nameof(qkv), 3 * shape.Elements);
        shape.RequireLength(output.Length, nameof(output), shape.Elements);
        shape.RequireLength(logSumExp.Length, nameof(logSumExp), (long)shape.Batch * shape.Heads * shape.Tokens);
        if (shape.Elements == 0)
        {
            return;
        }
        int channels = shape.Heads * shape.HeadDim;
        fixed (float* qp = qkv, op = output, lp = logSumExp)
        {
            var pointers = new HeadPointers(qp, qp + channels, qp + (2 * channels), op, lp,
                AttentionStrides.TokenMajor(shape, 3), AttentionStrides.TokenMajor(shape, 1));
            RunForward(shape, pointers, mask);
        }
    }

    private static void RunForward(AttentionShape shape, HeadPointers pointers, in AttentionMask mask)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            RunForward<Simd512, Vector512<float>>(shape, pointers, mask);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            RunForward<Simd256, Vector256<float>>(shape, pointers, mask);
        }
        else
        {
            RunForward<Simd128, Vector128<float>>(shape, pointers, mask);
        }
    }

    /// <summary>Raw pointers to the tensors of one call (spans are pinned for its duration): q, k, v laid out by
    /// Inputs, the output by Outputs, logSumExp (B,H,T).</summary>
    private readonly struct HeadPointers(float* q, float* k, float* v, float* output, float* logSumExp, AttentionStrides inputs, AttentionStrides outputs)
    {
        public readonly float* Q = q, K = k, V = v, Output = output, LogSumExp = logSumExp;
        public readonly AttentionStrides Inputs = inputs, Outputs = outputs;
    }

    private static void RunForward<TSimd, TVec>(AttentionShape shape, HeadPointers pointers, in AttentionMask mask)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int heads = shape.Batch * shape.Heads;
        int tiles = (shape.Tokens + AttentionTiling.QueryTile - 1) / AttentionTiling.QueryTile;
        // Split a head's query tiles over several work items (interleaved, so causal work stays balanced)
        // only when there are too few heads to keep every thread busy; each item re-packs k and v once.
        int chunks = Math.Clamp(2 * ParallelWidth / Math.Max(1, heads), 1, tiles);
        var body = new ForwardBody<TSimd, TVec>(shape, pointers, mask, chunks);
        RunParallel(heads * chunks, ref body);
    }

    private struct ForwardBody<TSimd, TVec>(AttentionShape shape, HeadPointers pointers, AttentionMask mask, int chunks) : IParallelBody
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        public readonly void Invoke(int index)
        {
            int t = shape.Tokens, d = shape.HeadDim, dp = PaddedDim<TSimd, TVec>(d);
            int head = index / chunks, chunk = index % chunks;
            long offset = pointers.Inputs.Offset(head, shape.Heads), outputOffset = pointers.Outputs.Offset(head, shape.Heads);
            int ld = pointers.Inputs.Row, ldOutput = pointers.Outputs.Row;
            float* vRows = pointers.V + offset;
            if (dp != d || ld != d)
            {
                vRows = KernelScratch.Get(1, (long)t * dp);
                TileMath.CopyPadded<TSimd, TVec>(t, d, pointers.V + offset, ld, 1f, vRows, dp);
            }
            var tile = new ForwardTile<TSimd, TVec>
            {
                Mask = mask,
                Batch = head / shape.Heads,
                Tokens = t,
                HeadDim = d,
                PaddedDim = dp,
                Keys = pointers.K + offset,
                KeyStride = ld,
                KeysTransposed = new LazyTranspose(pointers.K + offset, ld, KernelScratch.Get(0, (long)d * t), KernelScratch.Get(8, t), t, d),
                ValueRows = vRows,
                Queries = KernelScratch.Get(2, (long)AttentionTiling.QueryTile * dp),
                Accumulator = KernelScratch.Get(3, (long)AttentionTiling.QueryTile * dp),
                Scores = KernelScratch.Get(4, (long)AttentionTiling.QueryTile * AttentionTiling.KeyTile),
                RunningMax = KernelScratch.Get(5, AttentionTiling.QueryTile),
                RunningSum = KernelScratch.Get(6, AttentionTiling.QueryTile),
            };
            int tiles = (t + AttentionTiling.QueryTile - 1) / AttentionTiling.QueryTile;
            for (int queryTile = chunk; queryTile < tiles; queryTile += chunks)
            {
                int i0 = queryTile * AttentionTiling.QueryTile;
                int i1 = Math.Min(t, i0 + AttentionTiling.QueryTile);
                int rows = i1 - i0;
                tile.FirstRow = i0;
                TileMath.CopyPadded<TSimd, TVec>(rows, d, pointers.Q + offset + (long)i0 * ld, ld, shape.Scale, tile.Queries, dp);
                new Span<float>(tile.Accumulator, rows * dp).Clear();
                new Span<float>(tile.RunningMax, rows).Fill(float.NegativeInfinity);
                new Span<float>(tile.RunningSum, rows).Clear();
                AttentionTiling.ForEachTile(mask, tile.Batch, t, i0, i1, ref tile);
                for (int r = 0; r < rows; r++)
                {
                    float sum = tile.RunningSum[r];
                    float* destination = pointers.Output + outputOffset + (long)(i0 + r) * ldOutput;
                    float* lse = pointers.LogSumExp + (long)head * t + i0 + r;
                    if (sum == 0f)
                    {
                        new Span<float>(destination, d).Clear();
                        *lse = float.NegativeInfinity;
                        continue;
                    }
                    TileMath.ScaleCopy<TSimd, TVec>(tile.Accumulator + (long)r * dp, destination, d, 1f / sum);
                    *lse = tile.RunningMax[r] + MathF.Log(sum);
                }
            }
        }
    }

    /// <summary>One query tile's running state; Tile() folds one key tile in with the online softmax.</summary>
    private struct ForwardTile<TSimd, TVec> : IAttentionTileVisitor
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        public AttentionMask Mask;
        public int Batch, Tokens, HeadDim, PaddedDim, FirstRow, KeyStride;
        public float* Keys;             // (T,D), rows KeyStride apart
        public LazyTranspose KeysTransposed; // (D,T)
        public float* ValueRows;        // (T,Dp)
        public float* Queries;          // (Br,Dp), pre-scaled by 1/√D
        public float* Accumulator;      // (Br,Dp) un-normalised output
        public float* Scores;           // (Br,Bc)
        public float* RunningMax;       // (Br) m_i
        public float* RunningSum;       // (Br) l_i

        public readonly void Tile(int rowStart, int rowEnd, int keyStart, int keyEnd, bool causal, bool elementMask)
        {
            const int ldS = AttentionTiling.KeyTile;
            int rows = rowEnd - rowStart, cols = keyEnd - keyStart, local = rowStart - FirstRow;
            if (rows == 1 && cols <= SingleRowKeys)
            {
                SingleRow(local, keyStart, keyEnd, causal, elementMask);
                return;
            }
            // S = (q/√D)·kᵀ for this block.
            TileMath.Multiply<TSimd, TVec>(rows, cols, HeadDim, Queries + (long)local * PaddedDim, PaddedDim, 1,
                KeysTransposed.Columns(keyStart, keyEnd), Tokens, Scores, ldS, 1f, accumulate: false);
            if (elementMask)
            {
                MaskScores(Mask, Batch, Tokens, rowStart, rows, keyStart, cols, causal, Scores, ldS, float.NegativeInfinity);
            }
            for (int r = 0; r < rows; r++)
            {
                float* s = Scores + (long)r * ldS;
                int row = local + r;
                float tileMax = TileMath.Max<TSimd, TVec>(s, cols);
                if (tileMax == float.NegativeInfinity)
                {
                    new Span<float>(s, cols).Clear();
                    continue;
                }
                // m' = max(m, max_j s_j); l' = e^{m−m'}·l + Σ_j e^{s_j−m'}; O' = e^{m−m'}·O + P·V.
                float oldMax = RunningMax[row];
                float newMax = MathF.Max(oldMax, tileMax);
                float rescale = MathF.Exp(oldMax - newMax);
                float sum = TileMath.ExpShiftSum<TSimd, TVec>(s, cols, newMax);
                RunningSum[row] = RunningSum[row] * rescale + sum;
                RunningMax[row] = newMax;
                if (rescale != 1f && oldMax != float.NegativeInfinity)
                {
                    TileMath.Scale<TSimd, TVec>(Accumulator + (long)row * PaddedDim, PaddedDim, rescale);
                }
            }
            TileMath.Multiply<TSimd, TVec>(rows, PaddedDim, cols, Scores, ldS, 1, ValueRows + (long)keyStart * PaddedDim, PaddedDim,
                Accumulator + (long)local * PaddedDim, PaddedDim, 1f, accumulate: true);
        }

        public readonly void Diagonal(int rowStart, int rowEnd, bool keyMask)
        {
            for (int row = rowStart; row < rowEnd; row++)
            {
                SingleRow(row - FirstRow, row, row + 1, causal: false, elementMask: keyMask);
            }
        }

        // One query row against a few keys (a candidate attending to itself): vector dots, no tile set-up.
        private readonly void SingleRow(int local, int keyStart, int keyEnd, bool causal, bool elementMask)
        {
            float* query = Queries + (long)local * PaddedDim;
            float* accumulator = Accumulator + (long)local * PaddedDim;
            for (int key = keyStart; key < keyEnd; key++)
            {
                if (elementMask && AttentionTiling.IsMasked(Mask, Batch, Tokens, FirstRow + local, key, causal))
                {
                    continue;
                }
                float score = TileMath.Dot<TSimd, TVec>(query, Keys + (long)key * KeyStride, HeadDim);
                float newMax = MathF.Max(RunningMax[local], score);
                float rescale = MathF.Exp(RunningMax[local] - newMax);
                float p = MathF.Exp(score - newMax);
                RunningSum[local] = RunningSum[local] * rescale + p;
                RunningMax[local] = newMax;
                TileMath.ScaleAdd<TSimd, TVec>(accumulator, rescale, p, ValueRows + (long)key * PaddedDim, PaddedDim);
            }
        }
    }

    /// <summary>
    /// sourceᵀ (D,T) of a (T,D) head (rows sourceStride apart), transposed chunk by chunk on first use: a block mask that never
    /// multiplies some keys through the transposed layout (isolated candidates) never pays to transpose them.
    /// </summary>
    private readonly struct LazyTranspose
    {
        private const int Chunk = AttentionTiling.KeyTile;
        private readonly float* _source, _transposed, _done;
        private readonly int _tokens, _headDim, _sourceStride;

        public LazyTranspose(float* source, int sourceStride, float* transposed, float* doneFlags, int tokens, int headDim)
        {
            _source = source;
            _sourceStride = sourceStride;
            _transposed = transposed;
            _done = doneFlags;
            _tokens = tokens;
            _headDim = headDim;
            new Span<float>(doneFlags, (tokens + Chunk - 1) / Chunk).Clear();
        }

        /// <summary>Pointer to column keyStart of sourceᵀ (leading dimension T), keys [keyStart,keyEnd) ready.</summary>
        public float* Columns(int keyStart, int keyEnd)
        {
            for (int chunk = keyStart / Chunk; chunk <= (keyEnd - 1) / Chunk; chunk++)
            {
                if (_done[chunk] == 0f)
                {
                    int first = chunk * Chunk;
                    TileMath.Transpose(Math.Min(Chunk, _tokens - first), _headDim, _source + (long)first * _sourceStride, _sourceStride, _transposed + first, _tokens);
                    _done[chunk] = 1f;
                }
            }
            return _transposed + keyStart;
        }
    }

    /// <summary>Sets masked entries of a (rows×cols) block starting at (rowStart, keyStart) to <paramref name="value"/>.</summary>
    private static void MaskScores(in AttentionMask mask, int batch, int tokens, int rowStart, int rows, int keyStart, int cols,
        bool causal, float* scores, int ldS, float value)
    {
        for (int r = 0; r < rows; r++)
        {
            float* s = scores + (long)r * ldS;
            if (mask.KeyKeep is null)
            {
                // Only the causal limit: keys after the query row form one run at the end of the row.
                int firstMasked = causal ? Math.Clamp(rowStart + r + 1 - keyStart, 0, cols) : cols;
                new Span<float>(s + firstMasked, cols - firstMasked).Fill(value);
                continue;
            }
            for (int c = 0; c < cols; c++)
            {
                if (AttentionTiling.IsMasked(mask, batch, tokens, rowStart + r, keyStart + c, causal))
                {
                    s[c] = value;
                }
            }
        }
    }

    /// <summary>Blocks of one query row and at most this many keys skip the tile machinery.</summary>
    private const int SingleRowKeys = 8;

    /// <summary>D rounded up to whole vectors, so tile rows hold no partial vector.</summary>
    private static int PaddedDim<TSimd, TVec>(int headDim) where TSimd : struct, IFloatSimd<TVec> where TVec : struct =>
        (headDim + TSimd.Width - 1) / TSimd.Width * TSimd.Width;
}
