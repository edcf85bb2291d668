// Backward of the fused attention (FlashAttention-2, Algorithm 2): scores are recomputed tile by tile from
// q, k and the saved log-sum-exp, so memory stays O(T·D); gradients are added into dq, dk, dv.
using System.Runtime.Intrinsics;

namespace Lodestar.Kernels;

public static unsafe partial class FlashAttention
{
    /// <summary>
    /// Adds the gradients of <see cref="Forward"/> into dq, dk, dv (all (B,H,T,D)), given the forward's
    /// output and logSumExp and the upstream gradient dOutput (B,H,T,D).
    /// </summary>
    public static void Backward(AttentionShape shape, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v,
        ReadOnlySpan<float> output, ReadOnlySpan<float> logSumExp, ReadOnlySpan<float> dOutput,
        Span<float> dq, Span<float> dk, Span<float> dv, in AttentionMask mask)
    {
        shape.Validate();
        mask.Validate(shape.Batch, shape.Tokens);
        shape.RequireLength(q.Length, nameof(q), shape.Elements);
        shape.RequireLength(k.Length, nameof(k), shape.Elements);
        shape.RequireLength(v.Length, nameof(v), shape.Elements);
        shape.RequireLength(output.Length, nameof(output), shape.Elements);
        shape.RequireLength(dOutput.Length, nameof(dOutput), shape.Elements);
        shape.RequireLength(dq.Length, nameof(dq), shape.Elements);
        shape.RequireLength(dk.Length, nameof(dk), shape.Elements);
        shape.RequireLength(dv.Length, nameof(dv), shape.Elements);
        shape.RequireLength(logSumExp.Length, nameof(logSumExp), (long)shape.Batch * shape.Heads * shape.Tokens);
        if (shape.Elements == 0)
        {
            return;
        }
        fixed (float* qp = q, kp = k, vp = v, op = output, lp = logSumExp, dop = dOutput, dqp = dq, dkp = dk, dvp = dv)
        {
            var forward = new HeadPointers(qp, kp, vp, op, lp, AttentionStrides.HeadMajor(shape), AttentionStrides.HeadMajor(shape));
            var gradients = new GradientPointers(dop, dqp, dkp, dvp, overwrite: false);
            RunBackward(shape, forward, gradients, mask);
        }
    }

    /// <summary>
    /// Backward of <see cref="ForwardPacked"/>: reads qkv (B,T,3C), output and dOutput (B,T,C) in place and
    /// writes dqkv (B,T,3C), adding into it (accumulate) or overwriting every element of it.
    /// </summary>
    public static void BackwardPacked(AttentionShape shape, ReadOnlySpan<float> qkv, ReadOnlySpan<float> output, ReadOnlySpan<float> logSumExp,
        ReadOnlySpan<float> dOutput, Span<float> dqkv, bool accumulate, in AttentionMask mask)
    {
        shape.Validate();
        mask.Validate(shape.Batch, shape.Tokens);
        shape.RequireLength(qkv.Length, nameof(qkv), 3 * shape.Elements);
        shape.RequireLength(output.Length, nameof(output), shape.Elements);
        shape.RequireLength(dOutput.Length, nameof(dOutput), shape.Elements);
        shape.RequireLength(dqkv.Length, nameof(dqkv), 3 * shape.Elements);
        shape.RequireLength(logSumExp.Length, nameof(logSumExp), (long)shape.Batch * shape.Heads * shape.Tokens);
        if (shape.Elements == 0)
        {
            return;
        }
        int channels = shape.Heads * shape.HeadDim;
        fixed (float* qp = qkv, op = output, lp = logSumExp, dop = dOutput, dp = dqkv)
        {
            var inputs = AttentionStrides.TokenMajor(shape, 3);
            var forward = new HeadPointers(qp, qp + channels, qp + (2 * channels), op, lp, inputs, AttentionStrides.TokenMajor(shape, 1));
            var gradients = new GradientPointers(dop, dp, dp + channels, dp + (2 * channels), overwrite: !accumulate);
            RunBackward(shape, forward, gradients, mask);
        }
    }

    private static void RunBackward(AttentionShape shape, HeadPointers forward, GradientPointers gradients, in AttentionMask mask)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            RunBackward<Simd512, Vector512<float>>(shape, forward, gradients, mask);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            RunBackward<Simd256, Vector256<float>>(shape, forward, gradients, mask);
        }
        else
        {
            RunBackward<Simd128, Vector128<float>>(shape, forward, gradients, mask);
        }
    }

    /// <summary>dOutput laid out like the forward's output, dq, dk, dv like its inputs; Overwrite stores the
    /// gradients instead of adding them (every element is written once).</summary>
    private readonly struct GradientPointers(float* dOutput, float* dq, float* dk, float* dv, bool overwrite)
    {
        public readonly float* DOutput = dOutput, DQ = dq, DK = dk, DV = dv;
        public readonly bool Overwrite = overwrite;
    }

    private static void RunBackward<TSimd, TVec>(AttentionShape shape, HeadPointers forward, GradientPointers gradients, in AttentionMask mask)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        // One work item per (b,h): the item owns its head's dk and dv, so no two threads add into one row.
        var body = new BackwardBody<TSimd, TVec>(shape, forward, gradients, mask);
        RunParallel(shape.Batch * shape.Heads, ref body);
    }

    private readonly struct BackwardBody<TSimd, TVec>(AttentionShape shape, HeadPointers forward, GradientPointers gradients, AttentionMask mask)
        : IParallelBody where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        public void Invoke(int index)
        {
            int t = shape.Tokens, d = shape.HeadDim, dp = PaddedDim<TSimd, TVec>(d);
            long offset = forward.Inputs.Offset(index, shape.Heads), outputOffset = forward.Outputs.Offset(index, shape.Heads);
            long padded = (long)t * dp;
            int ld = forward.Inputs.Row, ldOutput = forward.Outputs.Row;
            // When D fills whole vectors and the head's rows are contiguous (B,H,T,D), the kernel reads k and dO
            // and adds into dq, dk, dv in place; otherwise it works on zero-padded copies and adds them back at the end.
            bool inPlace = dp == d && ld == d && ldOutput == d && !gradients.Overwrite;
            var tile = new BackwardTile<TSimd, TVec>
            {
                Mask = mask,
                Batch = index / shape.Heads,
                Tokens = t,
                HeadDim = d,
                PaddedDim = dp,
                Scale = shape.Scale,
                LogSumExp = forward.LogSumExp + (long)index * t,
                Values = forward.V + offset,
                ValueStride = ld,
                KeysTransposed = new LazyTranspose(forward.K + offset, ld, KernelScratch.Get(0, (long)d * t), KernelScratch.Get(11, t), t, d),
                ValuesTransposed = new LazyTranspose(forward.V + offset, ld, KernelScratch.Get(1, (long)d * t), KernelScratch.Get(12, t), t, d),
                QueriesScaled = KernelScratch.Get(2, padded),
                KeyRows = inPlace ? forward.K + offset : KernelScratch.Get(3, padded),
                DOutputRows = inPlace ? gradients.DOutput + outputOffset : KernelScratch.Get(4, padded),
                DQ = inPlace ? gradients.DQ + offset : KernelScratch.Get(5, padded),
                DK = inPlace ? gradients.DK + offset : KernelScratch.Get(6, padded),
                DV = inPlace ? gradients.DV + offset : KernelScratch.Get(7, padded),
                Delta = KernelScratch.Get(8, t),
                Probabilities = KernelScratch.Get(9, (long)AttentionTiling.QueryTile * AttentionTiling.KeyTile),
                DScores = KernelScratch.Get(10, (long)AttentionTiling.QueryTile * AttentionTiling.KeyTile),
            };
            TileMath.CopyPadded<TSimd, TVec>(t, d, forward.Q + offset, ld, shape.Scale, tile.QueriesScaled, dp);
            if (!inPlace)
            {
                TileMath.CopyPadded<TSimd, TVec>(t, d, forward.K + offset, ld, 1f, tile.KeyRows, dp);
                TileMath.CopyPadded<TSimd, TVec>(t, d, gradients.DOutput + outputOffset, ldOutput, 1f, tile.DOutputRows, dp);
                new Span<float>(tile.DQ, (int)padded).Clear();
                new Span<float>(tile.DK, (int)padded).Clear();
                new Span<float>(tile.DV, (int)padded).Clear();
            }
            // Δ_i = Σ_d dO_id·O_id = Σ_j P_ij·dP_ij, the softmax-backward row term.
            for (int i = 0; i < t; i++)
            {
                long row = outputOffset + (long)i * ldOutput;
                tile.Delta[i] = TileMath.Dot<TSimd, TVec>(gradients.DOutput + row, forward.Output + row, d);
            }
            for (int i0 = 0; i0 < t; i0 += AttentionTiling.QueryTile)
            {
                AttentionTiling.ForEachTile(mask, tile.Batch, t, i0, Math.Min(t, i0 + AttentionTiling.QueryTile), ref tile);
            }
            if (!inPlace)
            {
                for (int i = 0; i < t; i++)
                {
                    long row = offset + (long)i * ld, local = (long)i * dp;
                    StoreOrAdd<TSimd, TVec>(gradients.DQ + row, tile.DQ + local, d, gradients.Overwrite);
                    StoreOrAdd<TSimd, TVec>(gradients.DK + row, tile.DK + local, d, gradients.Overwrite);
                    StoreOrAdd<TSimd, TVec>(gradients.DV + row, tile.DV + local, d, gradients.Overwrite);
                }
            }
        }
    }

    /// <summary>destination[i] = source[i] (overwrite) or destination[i] += source[i], i in [0,n).</summary>
    private static void StoreOrAdd<TSimd, TVec>(float* destination, float* source, int n, bool overwrite)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        if (overwrite)
        {
            new ReadOnlySpan<float>(source, n).CopyTo(new Span<float>(destination, n));
        }
        else
        {
            TileMath.ScaleAdd<TSimd, TVec>(destination, 1f, 1f, source, n);
        }
    }

    /// <summary>Recomputes one block's probabilities and adds its contributions to the head's dq, dk, dv.</summary>
    private struct BackwardTile<TSimd, TVec> : IAttentionTileVisitor
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        public AttentionMask Mask;
        public int Batch, Tokens, HeadDim, PaddedDim;
        public float Scale;             // 1/√D
        public float* LogSumExp;        // (T)
        public float* Values;           // (T,D), rows ValueStride apart
        public int ValueStride;
        public LazyTranspose KeysTransposed;   // (D,T)
        public LazyTranspose ValuesTransposed; // (D,T)
        public float* QueriesScaled;    // (T,Dp) q/√D
        public float* KeyRows;          // (T,Dp)
        public float* DOutputRows;      // (T,Dp)
        public float* DQ, DK, DV;       // (T,Dp) each
        public float* Delta;            // (T)
        public float* Probabilities;    // (Br,Bc) P
        public float* DScores;          // (Br,Bc) dP, then dS

        public readonly void Tile(int rowStart, int rowEnd, int keyStart, int keyEnd, bool causal, bool elementMask)
        {
            const int ldS = AttentionTiling.KeyTile;
            int rows = rowEnd - rowStart, cols = keyEnd - keyStart, dp = PaddedDim;
            if (rows == 1 && cols <= SingleRowKeys)
            {
                SingleRow(rowStart, keyStart, keyEnd, causal, elementMask);
                return;
            }
            float* queries = QueriesScaled + (long)rowStart * dp;
            float* dOut = DOutputRows + (long)rowStart * dp;
            // P = exp(q·kᵀ/√D − lse), exactly the forward's probabilities.
            TileMath.Multiply<TSimd, TVec>(rows, cols, HeadDim, queries, dp, 1, KeysTransposed.Columns(keyStart, keyEnd), Tokens, Probabilities, ldS, 1f, false);
            for (int r = 0; r < rows; r++)
            {
                float* p = Probabilities + (long)r * ldS;
                float lse = LogSumExp[rowStart + r];
                if (lse == float.NegativeInfinity)
                {
                    new Span<float>(p, cols).Clear();
                }
                else
                {
                    TileMath.ExpShiftSum<TSimd, TVec>(p, cols, lse);
                }
            }
            if (elementMask)
            {
                MaskScores(Mask, Batch, Tokens, rowStart, rows, keyStart, cols, causal, Probabilities, ldS, 0f);
            }
            // dV += Pᵀ·dO (Pᵀ read through strides, no copy).
            TileMath.Multiply<TSimd, TVec>(cols, dp, rows, Probabilities, 1, ldS, dOut, dp, DV + (long)keyStart * dp, dp, 1f, true);
            // dP = dO·vᵀ; dS = P ∘ (dP − Δ).
            TileMath.Multiply<TSimd, TVec>(rows, cols, HeadDim, dOut, dp, 1, ValuesTransposed.Columns(keyStart, keyEnd), Tokens, DScores, ldS, 1f, false);
            for (int r = 0; r < rows; r++)
            {
                SoftmaxGradientRow<TSimd, TVec>(Probabilities + (long)r * ldS, DScores + (long)r * ldS, cols, Delta[rowStart + r]);
            }
            // dQ += dS·k/√D; dK += dSᵀ·(q/√D).
            TileMath.Multiply<TSimd, TVec>(rows, dp, cols, DScores, ldS, 1, KeyRows + (long)keyStart * dp, dp, DQ + (long)rowStart * dp, dp, Scale, true);
            TileMath.Multiply<TSimd, TVec>(cols, dp, rows, DScores, 1, ldS, queries, dp, DK + (long)keyStart * dp, dp, 1f, true);
        }

        public readonly void Diagonal(int rowStart, int rowEnd, bool keyMask)
        {
            for (int row = rowStart; row < rowEnd; row++)
            {
                SingleRow(row, row, row + 1, causal: false, elementMask: keyMask);
            }
        }

        // One query row against a few keys: the same chain rule with vector dots and axpys.
        private readonly void SingleRow(int row, int keyStart, int keyEnd, bool causal, bool elementMask)
        {
            int dp = PaddedDim;
            float lse = LogSumExp[row];
            if (lse == float.NegativeInfinity)
            {
                return;
            }
            float* query = QueriesScaled + (long)row * dp;
            float* dOut = DOutputRows + (long)row * dp;
            for (int key = keyStart; key < keyEnd; key++)
            {
                if (elementMask && AttentionTiling.IsMasked(Mask, Batch, Tokens, row, key, causal))
                {
                    continue;
                }
                float p = MathF.Exp(TileMath.Dot<TSimd, TVec>(query, KeyRows + (long)key * dp, HeadDim) - lse);
                float dScore = p * (TileMath.Dot<TSimd, TVec>(dOut, Values + (long)key * ValueStride, HeadDim) - Delta[row]);
                TileMath.ScaleAdd<TSimd, TVec>(DV + (long)key * dp, 1f, p, dOut, dp);
                TileMath.ScaleAdd<TSimd, TVec>(DQ + (long)row * dp, 1f, dScore * Scale, KeyRows + (long)key * dp, dp);
                TileMath.ScaleAdd<TSimd, TVec>(DK + (long)key * dp, 1f, dScore, query, dp);
            }
        }
    }

    /// <summary>dScores[j] = p[j]·(dScores[j] − delta) for j in [0,n): the softmax Jacobian applied to dP.</summary>
    private static void SoftmaxGradientRow<TSimd, TVec>(float* p, float* dScores, int n, float delta)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        int w = TSimd.Width;
        TVec deltaVector = TSimd.Broadcast(delta);
        int j = 0;
        for (; j + w <= n; j += w)
        {
            TSimd.Store(TSimd.Multiply(TSimd.Load(ref p[j]), TSimd.Subtract(TSimd.Load(ref dScores[j]), deltaVector)), ref dScores[j]);
        }
        for (; j < n; j++)
        {
            dScores[j] = p[j] * (dScores[j] - delta);
        }
    }
}
