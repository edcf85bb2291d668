// Matrix products on the Gemm kernel: Linear (x·Wᵀ + b, optionally fused with GELU) and (batched) matmul.
// Backward follows dC = op(A)·op(B): dop(A) = dC·op(B)ᵀ, dop(B) = op(A)ᵀ·dC, accumulated with beta = 1.
using System.Diagnostics;
using Lodestar.Kernels;

namespace Lodestar.Tensors;

public enum LinearActivation
{
    None,
    Gelu,
}

public sealed partial class Graph
{
    // From this many rows the weight gradient transposes dPre first: the GEMM packs a transposed A element
    // by element, a blocked transpose moves 8×8 tiles (measured: PackTransposedA was ~8% of a training step).
    private const int TransposedGradientRows = 64;

    /// <summary>x is (..., I), weight is (O, I) as in PyTorch, bias is (O) or null; returns (..., O).</summary>
    public Tensor Linear(Tensor x, Tensor weight, Tensor? bias, LinearActivation activation = LinearActivation.None)
    {
        x = Contiguous(x);
        Require(weight.Rank == 2 && weight.IsContiguous, $"linear: weight {weight.Describe()} must be a contiguous (out, in) matrix");
        var inFeatures = weight.Dim(1);
        var outFeatures = weight.Dim(0);
        Require(x.Rank >= 1 && x.Columns == inFeatures, $"linear: input {x.Describe()} does not end in {inFeatures} features of {weight.Describe()}");
        Require(bias is null || (bias.Rank == 1 && bias.Length == outFeatures), $"linear: bias {bias?.Describe()} must have {outFeatures} elements");
        Span<int> shape = stackalloc int[x.Rank];
        x.ShapeSpan.CopyTo(shape);
        shape[^1] = outFeatures;
        var rows = x.Rows;
        var output = NewOutput(shape);
        var tracks = Tracks(x, weight, bias);
        var preActivation = activation == LinearActivation.Gelu && tracks ? NewOutput(shape) : output;
        var pre = preActivation.Data;
        // pre(N,O) = x(N,I) · W(O,I)ᵀ (+ bias on every row)
        Blas.Gemm(false, true, rows, outFeatures, inFeatures, 1f, x.Data, inFeatures, weight.Data, inFeatures, 0f, pre, outFeatures);
        if (bias is not null)
        {
            RowOps.AddBiasRows(FloatWindow.Of(preActivation), FloatWindow.Of(bias), rows, outFeatures);
        }
        if (activation == LinearActivation.Gelu)
        {
            Activation.GeluForward(FloatWindow.Of(preActivation), FloatWindow.Of(output));
        }
        if (tracks)
        {
            ref var entry = ref Record(OpKind.Linear, output);
            entry.Input = x;
            entry.Weight = weight;
            entry.Bias = bias;
            entry.PreActivation = activation == LinearActivation.Gelu ? preActivation : null;
        }
        return output;
    }

    /// <summary>
    /// Inference form of Linear on a weight packed once (Gemm.PackWeight): x (..., I) · Wᵀ + bias, then GELU when
    /// asked, then + residual (..., O) when given, all in the GEMM's epilogue. Records nothing, so it is only for
    /// graphs in inference mode.
    /// </summary>
    public Tensor LinearPacked(Tensor x, PackedWeight weight, Tensor? bias, LinearActivation activation = LinearActivation.None,
        Tensor? residual = null)
    {
        var output = InferenceLinearOutput(ref x, weight.InFeatures, weight.OutFeatures, bias, ref residual, "packed");
        var profile = OpProfile.Current;
        var start = profile is null ? 0 : Stopwatch.GetTimestamp();
        Kernels.Gemm.MultiplyPacked(x.Rows, x.Data, weight.InFeatures, weight, bias is null ? default : bias.Data,
            activation == LinearActivation.Gelu, residual is null ? default : residual.Data, output.Data, weight.OutFeatures);
        profile?.Add("gemm", "packed " + OpProfile.GemmName(false, true, x.Rows, weight.OutFeatures, weight.InFeatures), start,
            2.0 * x.Rows * weight.OutFeatures * weight.InFeatures);
        return output;
    }

    /// <summary>
    /// x (..., in) through a lower-precision weight (int8 with its inputs quantized to u8, or bf16), then the bias, GELU
    /// and the residual in float32; inference graphs only.
    /// </summary>
    public Tensor LinearLowPrecision(Tensor x, ILowPrecisionWeight weight, Tensor? bias, LinearActivation activation = LinearActivation.None, Tensor? residual = null)
    {
        var output = InferenceLinearOutput(ref x, weight.InFeatures, weight.OutFeatures, bias, ref residual, weight.Kind);
        var profile = OpProfile.Current;
        var start = profile is null ? 0 : Stopwatch.GetTimestamp();
        weight.Multiply(x.Rows, x.Data, output.Data);
        if (bias is not null)
        {
            RowOps.AddBiasRows(FloatWindow.Of(output), FloatWindow.Of(bias), x.Rows, weight.OutFeatures);
        }
        if (activation == LinearActivation.Gelu)
        {
            Activation.GeluForward(FloatWindow.Of(output), FloatWindow.Of(output));
        }
        if (residual is not null)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(output.Data, residual.Data, output.Data);
        }
        profile?.Add("gemm", weight.Kind + " " + OpProfile.GemmName(false, true, x.Rows, weight.OutFeatures, weight.InFeatures), start,
            2.0 * x.Rows * weight.OutFeatures * weight.InFeatures);
        return output;
    }

    // The checks and the output of an inference-only linear op over a weight of the given kind (x and residual made contiguous).
    private Tensor InferenceLinearOutput(ref Tensor x, int inFeatures, int outFeatures, Tensor? bias, ref Tensor? residual, string kind)
    {
        Require(!IsRecording, $"linear ({kind} weights): only for inference graphs (recordGradients: false)");
        x = Contiguous(x);
        Require(x.Rank >= 1 && x.Columns == inFeatures, $"linear: input {x.Describe()} does not end in {inFeatures} features of the {kind} weight");
        Require(bias is null || (bias.Rank == 1 && bias.Length == outFeatures), $"linear: bias {bias?.Describe()} must have {outFeatures} elements");
        Span<int> shape = stackalloc int[x.Rank];
        x.ShapeSpan.CopyTo(shape);
        shape[^1] = outFeatures;
        var output = NewOutput(shape);
        if (residual is not null)
        {
            residual = Contiguous(residual);
            Require(residual.SameShape(output), $"linear: residual {residual.Describe()} must have the output's shape {output.Describe()}");
        }
        return output;
    }

    private void LinearBackward(in TapeEntry entry)
    {
        var x = entry.Input;
        var weight = entry.Weight;
        var bias = entry.Bias;
        var outFeatures = weight.Dim(0);
        var inFeatures = weight.Dim(1);
        var rows = x.Rows;
        ReadOnlySpan<float> dPre = entry.Output.Grad;
        var profile = OpProfile.Current;
        var start = Stopwatch.GetTimestamp();
        if (entry.PreActivation is { } pre)
        {
            var scratch = ScratchWindow(pre.Length, zeroed: false);
            Activation.GeluBackwardOverwrite(FloatWindow.Of(pre), FloatWindow.GradOf(entry.Output), scratch);
            dPre = scratch.Span;
            profile?.Add("detail", "linear: gelu backward", start);
        }
        if (x.RequiresGrad)
        {
            // dx(N,I) += dPre(N,O) · W(O,I), written with beta = 0 when nothing has added into dx yet
            var dx = GradForOverwrite(x, out var fresh);
            Blas.Gemm(false, false, rows, inFeatures, outFeatures, 1f, dPre, outFeatures, weight.Data, inFeatures, fresh ? 0f : 1f, dx, inFeatures);
        }
        var biasDone = false;
        if (weight.RequiresGrad && rows >= TransposedGradientRows)
        {
            // dW(O,I) += dPreᵀ(O,N) · x(N,I), with dPreᵀ written out once so the GEMM reads both operands row-major;
            // the bias gradient (column sums of dPre) comes from the same pass.
            var dPreT = Scratch(rows * outFeatures);
            start = Stopwatch.GetTimestamp();
            if (bias is not null && bias.RequiresGrad)
            {
                Kernels.Transpose.MatrixWithColumnSums(dPre, rows, outFeatures, dPreT, GradOf(bias));
                biasDone = true;
            }
            else
            {
                Kernels.Transpose.Matrix(dPre, rows, outFeatures, dPreT);
            }
            profile?.Add("detail", "linear: transpose dPre (+ bias gradient)", start);
            Blas.Gemm(false, false, outFeatures, inFeatures, rows, 1f, dPreT, rows, x.Data, inFeatures, 1f, GradOf(weight), inFeatures);
        }
        else if (weight.RequiresGrad)
        {
            // dW(O,I) += dPre(N,O)ᵀ · x(N,I)
            Blas.Gemm(true, false, outFeatures, inFeatures, rows, 1f, dPre, outFeatures, x.Data, inFeatures, 1f, GradOf(weight), inFeatures);
        }
        if (bias is not null && bias.RequiresGrad && !biasDone)
        {
            start = Stopwatch.GetTimestamp();
            Elementwise.AddBiasRowsBackward(dPre, GradOf(bias), rows, outFeatures);
            profile?.Add("detail", "linear: bias gradient", start);
        }
    }

    /// <summary>
    /// op(a)·op(b): a is (M,K) or (Bt,M,K) (transposed: (K,M)), b is (K,N) or (Bt,K,N) (transposed: (N,K)).
    /// A rank-2 b is shared by every batch entry of a rank-3 a.
    /// </summary>
    public Tensor MatMul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false)
    {
        a = Contiguous(a);
        b = Contiguous(b);
        Require(a.Rank is 2 or 3 && b.Rank is 2 or 3, $"matmul: ranks of {a.Describe()} and {b.Describe()} must be 2 or 3");
        Require(b.Rank == 2 || a.Rank == 3, $"matmul: a batched b {b.Describe()} needs a batched a");
        var batch = a.Rank == 3 ? a.Dim(0) : 1;
        Require(b.Rank == 2 || b.Dim(0) == batch, $"matmul: batch sizes of {a.Describe()} and {b.Describe()} differ");
        var m = transposeA ? a.Dim(-1) : a.Dim(-2);
        var k = transposeA ? a.Dim(-2) : a.Dim(-1);
        var kb = transposeB ? b.Dim(-1) : b.Dim(-2);
        var n = transposeB ? b.Dim(-2) : b.Dim(-1);
        Require(k == kb, $"matmul: inner dimensions differ ({a.Describe()}{(transposeA ? "ᵀ" : "")} · {b.Describe()}{(transposeB ? "ᵀ" : "")})");
        var output = a.Rank == 3 ? NewOutput([batch, m, n]) : NewOutput([m, n]);
        var strideB = b.Rank == 3 ? b.Length / batch : 0;
        for (var i = 0; i < batch; i++)
        {
            Blas.Gemm(transposeA, transposeB, m, n, k, 1f, a.Data.Slice(i * m * k, m * k), a.Columns,
                b.Data.Slice(i * strideB, k * n), b.Columns, 0f, output.Data.Slice(i * m * n, m * n), n);
        }
        if (Tracks(a, b))
        {
            ref var entry = ref Record(OpKind.MatMul, output);
            entry.Left = a;
            entry.Right = b;
            entry.TransposeLeft = transposeA;
            entry.TransposeRight = transposeB;
            entry.M = m;
            entry.K = k;
        }
        return output;
    }

    private void MatMulBackward(in TapeEntry entry)
    {
        var a = entry.Left;
        var b = entry.Right;
        var transposeA = entry.TransposeLeft;
        var transposeB = entry.TransposeRight;
        var m = entry.M;
        var k = entry.K;
        var n = entry.Output.Columns;
        var batch = a.Rank == 3 ? a.Dim(0) : 1;
        var strideB = b.Rank == 3 ? k * n : 0;
        var lda = a.Columns;
        var ldb = b.Columns;
        var dC = entry.Output.Grad;
        for (var i = 0; i < batch; i++)
        {
            var dCi = dC.Slice(i * m * n, m * n);
            var ai = a.Data.Slice(i * m * k, m * k);
            var bi = b.Data.Slice(i * strideB, k * n);
            if (a.RequiresGrad)
            {
                var dA = GradOf(a).Slice(i * m * k, m * k);
                if (!transposeA)
                {
                    Blas.Gemm(false, !transposeB, m, k, n, 1f, dCi, n, bi, ldb, 1f, dA, lda); // dA = dC·op(B)ᵀ
                }
                else
                {
                    Blas.Gemm(transposeB, true, k, m, n, 1f, bi, ldb, dCi, n, 1f, dA, lda); // dA = op(B)·dCᵀ
                }
            }
            if (b.RequiresGrad)
            {
                var dB = GradOf(b).Slice(i * strideB, k * n);
                if (!transposeB)
                {
                    Blas.Gemm(!transposeA, false, k, n, m, 1f, ai, lda, dCi, n, 1f, dB, ldb); // dB = op(A)ᵀ·dC
                }
                else
                {
                    Blas.Gemm(true, transposeA, n, k, m, 1f, dCi, n, ai, lda, 1f, dB, ldb); // dB = dCᵀ·op(A)
                }
            }
        }
    }
}

/// <summary>What linear and matmul read in their backward passes besides their operands.</summary>
internal partial struct TapeEntry
{
    /// <summary>Linear with GELU: x·Wᵀ + b before the GELU (N, O); null without an activation.</summary>
    public Tensor? PreActivation { readonly get => _saved0; set => _saved0 = value; }

    /// <summary>MatMul: whether the left operand entered transposed.</summary>
    public bool TransposeLeft { readonly get => _int0 != 0; set => _int0 = value ? 1 : 0; }

    /// <summary>MatMul: whether the right operand entered transposed.</summary>
    public bool TransposeRight { readonly get => _int1 != 0; set => _int1 = value ? 1 : 0; }

    /// <summary>MatMul: rows M of the product (M, N).</summary>
    public int M { readonly get => _int2; set => _int2 = value; }

    /// <summary>MatMul: the inner dimension K.</summary>
    public int K { readonly get => _int3; set => _int3 = value; }
}
