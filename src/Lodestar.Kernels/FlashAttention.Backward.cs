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
            var forward = new HeadPointers(qp, kp, vp, op, lp);
            var gradients = new GradientPointers(dop, dqp, dkp, dvp);
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
    }

    private readonly struct GradientPointers(float* dOutput, float* dq, float* dk, float* dv)
    {
        public readonly float* DOutput = dOutput, DQ = dq, DK = dk, DV = dv;
    }

    private static void RunBackward<TSimd, TVec>(AttentionShape shape, HeadPointers forward, GradientPointers gradients, in AttentionMask mask)
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        // One work item per (b,h): the item owns its head's dk and dv, so no two threads add into one row.
        var body = new BackwardBody<TSimd, TVec>(shape, forward, gradients, mask);
        RunParallel(shape.Batch * shape.Heads, ref body);
    }

    private readonly struct BackwardBody<TSimd, TVec>(AttentionShape shape, HeadPointers forward, GradientPointers gradients, AttentionMask mask)
        : IIndexedBody where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        public void Invoke(int index)
        {
            int t = shape.Tokens, d = shape.HeadDim, dp = PaddedDim<TSimd, TVec>(d);
            long offset = (long)index * t * d, padded = (long)t * dp;
            var tile = new BackwardTile<TSimd, TVec>
            {
                Mask = mask,
                Batch = index / shape.Heads,
                Tokens = t,
                HeadDim = d,
                PaddedDim = dp,
                LogSumExp = forward.LogSumExp + (long)index * t,
                KeysTransposed = KernelScratch.Get(0, (long)d * t),
                ValuesTransposed = KernelScratch.Get(1, (long)d * t),
                KeysPadded = KernelScratch.Get(2, padded),
                QueriesScaled = KernelScratch.Get(3, padded),
                DOutputPadded = KernelScratch.Get(4, padded),
                DQ = KernelScratch.Get(5, padded),
                DK = KernelScratch.Get(6, padded),
                DV = KernelScratch.Get(7, padded),
                Delta = KernelScratch.Get(8, t),
                Probabilities = KernelScratch.Get(9, (long)AttentionTiling.QueryTile * AttentionTiling.KeyTile),
                DScores = KernelScratch.Get(10, (long)AttentionTiling.QueryTile * AttentionTiling.KeyTile),
                Transposed = KernelScratch.Get(11, (long)AttentionTiling.QueryTile * AttentionTiling.KeyTile),
            };
            TileMath.Transpose(t, d, forward.K + offset, d, tile.KeysTransposed, t);
            TileMath.Transpose(t, d, forward.V + offset, d, tile.ValuesTransposed, t);
            TileMath.CopyPadded(t, d, forward.K + offset, d, 1f, tile.KeysPadded, dp);
            TileMath.CopyPadded(t, d, forward.Q + offset, d, shape.Scale, tile.QueriesScaled, dp);
            TileMath.CopyPadded(t, d, gradients.DOutput + offset, d, 1f, tile.DOutputPadded, dp);
            new Span<float>(tile.DQ, (int)padded).Clear();
            new Span<float>(tile.DK, (int)padded).Clear();
            new Span<float>(tile.DV, (int)padded).Clear();
            // Δ_i = Σ_d dO_id·O_id = Σ_j P_ij·dP_ij, the softmax-backward row term.
            for (int i = 0; i < t; i++)
            {
                tile.Delta[i] = TileMath.Dot<TSimd, TVec>(gradients.DOutput + offset + (long)i * d, forward.Output + offset + (long)i * d, d);
            }
            for (int i0 = 0; i0 < t; i0 += AttentionTiling.QueryTile)
            {
                AttentionTiling.ForEachTile(mask, tile.Batch, t, i0, Math.Min(t, i0 + AttentionTiling.QueryTile), ref tile);
            }
            float scale = shape.Scale;
            for (int i = 0; i < t; i++)
            {
                long row = offset + (long)i * d, local = (long)i * dp;
                for (int c = 0; c < d; c++)
                {
                    gradients.DQ[row + c] += scale * tile.DQ[local + c];
                    gradients.DK[row + c] += tile.DK[local + c];
                    gradients.DV[row + c] += tile.DV[local + c];
                }
            }
        }
    }

    /// <summary>Recomputes one block's probabilities and adds its contributions to the head's dq, dk, dv.</summary>
    private struct BackwardTile<TSimd, TVec> : IAttentionTileVisitor
        where TSimd : struct, IFloatSimd<TVec> where TVec : struct
    {
        public AttentionMask Mask;
        public int Batch, Tokens, HeadDim, PaddedDim;
        public float* LogSumExp;        // (T)
        public float* KeysTransposed;   // (D,T)
        public float* ValuesTransposed; // (D,T)
        public float* KeysPadded;       // (T,Dp)
        public float* QueriesScaled;    // (T,Dp) q/√D
        public float* DOutputPadded;    // (T,Dp)
        public float* DQ, DK, DV;       // (T,Dp) each; DQ still lacks the 1/√D factor
        public float* Delta;            // (T)
        public float* Probabilities;    // (Br,Bc) P
        public float* DScores;          // (Br,Bc) dP, then dS
        public float* Transposed;       // (Bc,Br)

        public readonly void Tile(int rowStart, int rowEnd, int keyStart, int keyEnd, bool causal, bool elementMask)
        {
            const int ldS = AttentionTiling.KeyTile, ldT = AttentionTiling.QueryTile;
            int rows = rowEnd - rowStart, cols = keyEnd - keyStart, dp = PaddedDim;
            float* queries = QueriesScaled + (long)rowStart * dp;
            float* dOut = DOutputPadded + (long)rowStart * dp;
            // P = exp(q·kᵀ/√D − lse), exactly the forward's probabilities.
            TileMath.MultiplyNN<TSimd, TVec>(rows, cols, HeadDim, queries, dp, KeysTransposed + keyStart, Tokens, Probabilities, ldS, false);
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
            // dV += Pᵀ·dO.
            TileMath.Transpose(rows, cols, Probabilities, ldS, Transposed, ldT);
            TileMath.MultiplyNN<TSimd, TVec>(cols, dp, rows, Transposed, ldT, dOut, dp, DV + (long)keyStart * dp, dp, true);
            // dP = dO·vᵀ; dS = P ∘ (dP − Δ).
            TileMath.MultiplyNN<TSimd, TVec>(rows, cols, HeadDim, dOut, dp, ValuesTransposed + keyStart, Tokens, DScores, ldS, false);
            for (int r = 0; r < rows; r++)
            {
                SoftmaxGradientRow<TSimd, TVec>(Probabilities + (long)r * ldS, DScores + (long)r * ldS, cols, Delta[rowStart + r]);
            }
            // dQ += dS·k (scaled by 1/√D at the end); dK += dSᵀ·(q/√D).
            TileMath.MultiplyNN<TSimd, TVec>(rows, dp, cols, DScores, ldS, KeysPadded + (long)keyStart * dp, dp, DQ + (long)rowStart * dp, dp, true);
            TileMath.Transpose(rows, cols, DScores, ldS, Transposed, ldT);
            TileMath.MultiplyNN<TSimd, TVec>(cols, dp, rows, Transposed, ldT, queries, dp, DK + (long)keyStart * dp, dp, true);
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
