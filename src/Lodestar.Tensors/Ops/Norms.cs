// LayerNorm (Ba et al. 2016) and RMSNorm (Zhang & Sennrich 2019) over the last axis on the Kernels' row
// kernels, split over threads by rows. Forward saves each row's mean and 1/σ for the backward pass.
using Lodestar.Kernels;

namespace Lodestar.Tensors;

public sealed partial class Graph
{
    /// <summary>x is (..., C), weight and bias are (C); y = (x − μ)/√(σ² + eps)·weight + bias.</summary>
    public Tensor LayerNorm(Tensor x, Tensor weight, Tensor? bias, float eps = 1e-5f)
    {
        x = Contiguous(x);
        var channels = x.Columns;
        Require(weight.Length == channels && (bias is null || bias.Length == channels), $"layernorm: weight/bias must have {channels} elements for {x.Describe()}");
        var rows = x.Rows;
        var output = NewOutputLike(x);
        var stats = NewOutput([2, rows]); // mean | rstd
        var beta = bias ?? Zeros(channels);
        var body = new NormBody(NormBody.Kind.LayerForward, rows, channels, eps, FloatWindow.Of(x), FloatWindow.Of(weight),
            FloatWindow.Of(beta), FloatWindow.Of(output), FloatWindow.Of(stats), default, default, default, default);
        KernelThreads.For(RowParallel.Blocks(rows, channels), ref body);
        if (Tracks(x, weight, bias))
        {
            ref var entry = ref Record(OpKind.LayerNorm, output);
            entry.Input = x;
            entry.Weight = weight;
            entry.Bias = bias;
            entry.MeanAndRstd = stats;
        }
        return output;
    }

    private void LayerNormBackward(in TapeEntry entry)
    {
        var x = entry.Input;
        var channels = x.Columns;
        var rows = x.Rows;
        var blocks = RowParallel.Blocks(rows, channels);
        // Each block adds its rows' dgamma and dbeta into a private slice; the slices are summed after.
        var partials = ScratchWindow(2 * blocks * channels, zeroed: true);
        var dx = x.RequiresGrad ? FloatWindow.GradOf(WithGrad(x)) : ScratchWindow(x.Length, zeroed: false);
        var body = new NormBody(NormBody.Kind.LayerBackward, rows, channels, 0f, FloatWindow.Of(x), FloatWindow.Of(entry.Weight),
            default, default, FloatWindow.Of(entry.MeanAndRstd), FloatWindow.GradOf(entry.Output), dx,
            partials with { Length = blocks * channels }, new FloatWindow(partials.Storage, partials.Offset + (blocks * channels), blocks * channels));
        KernelThreads.For(blocks, ref body);
        AddPartials(entry.Weight, partials.Span[..(blocks * channels)], blocks, channels);
        if (entry.Bias is { } bias)
        {
            AddPartials(bias, partials.Span[(blocks * channels)..], blocks, channels);
        }
    }

    /// <summary>x is (..., C), weight is (C); y = x/√(mean(x²) + eps)·weight.</summary>
    public Tensor RmsNorm(Tensor x, Tensor weight, float eps = 1e-6f)
    {
        x = Contiguous(x);
        var channels = x.Columns;
        Require(weight.Length == channels, $"rmsnorm: weight must have {channels} elements for {x.Describe()}");
        var rows = x.Rows;
        var output = NewOutputLike(x);
        var rstd = NewOutput([rows]);
        Kernels.RmsNorm.Forward(x.Data, weight.Data, output.Data, rstd.Data, rows, channels, eps);
        if (Tracks(x, weight))
        {
            ref var entry = ref Record(OpKind.RmsNorm, output);
            entry.Input = x;
            entry.Weight = weight;
            entry.InverseRms = rstd;
        }
        return output;
    }

    private void RmsNormBackward(in TapeEntry entry)
    {
        var x = entry.Input;
        var weight = entry.Weight;
        var dx = x.RequiresGrad ? GradOf(x) : Scratch(x.Length);
        var dw = weight.RequiresGrad ? GradOf(weight) : Scratch(weight.Length);
        Kernels.RmsNorm.Backward(entry.Output.Grad, x.Data, weight.Data, entry.InverseRms.Data, dx, dw, x.Rows, x.Columns);
    }

    private void AddPartials(Tensor target, ReadOnlySpan<float> partials, int blocks, int channels)
    {
        if (!target.RequiresGrad)
        {
            return;
        }
        var grad = GradOf(target);
        for (var b = 0; b < blocks; b++)
        {
            VectorMath.AddInto(partials.Slice(b * channels, channels), grad);
        }
    }

    private Tensor WithGrad(Tensor t)
    {
        GradOf(t);
        return t;
    }

    private FloatWindow ScratchWindow(int length, bool zeroed)
    {
        var (storage, offset) = Arena.AllocateFloats(length, zeroed);
        return new FloatWindow(storage, offset, length);
    }

    /// <summary>One block of rows of a LayerNorm forward or backward on the kernel.</summary>
    private struct NormBody(NormBody.Kind kind, int rows, int columns, float eps, FloatWindow x, FloatWindow gamma, FloatWindow beta,
        FloatWindow y, FloatWindow stats, FloatWindow dy, FloatWindow dx, FloatWindow dGamma, FloatWindow dBeta) : IParallelBody
    {
        public enum Kind
        {
            LayerForward,
            LayerBackward,
        }

        public readonly void Invoke(int index)
        {
            var blocks = kind == Kind.LayerForward ? RowParallel.Blocks(rows, columns) : dGamma.Length / columns;
            var (start, end) = RowParallel.Range(rows, index, blocks);
            var count = end - start;
            var mean = stats.Storage.AsSpan(stats.Offset + start, count);
            var rstd = stats.Storage.AsSpan(stats.Offset + rows + start, count);
            if (kind == Kind.LayerForward)
            {
                Kernels.LayerNorm.Forward(x.Rows(start, end, columns), gamma.Span, beta.Span, y.Rows(start, end, columns), mean, rstd, count, columns, eps);
                return;
            }
            Kernels.LayerNorm.Backward(dy.Rows(start, end, columns), x.Rows(start, end, columns), gamma.Span, mean, rstd,
                dx.Rows(start, end, columns), dGamma.Storage.AsSpan(dGamma.Offset + (index * columns), columns),
                dBeta.Storage.AsSpan(dBeta.Offset + (index * columns), columns), count, columns);
        }
    }
}

/// <summary>What the norms' backward passes read besides input, weight and bias.</summary>
internal partial struct TapeEntry
{
    /// <summary>LayerNorm: each row's mean then its 1/σ, (2, N), from the forward pass.</summary>
    public Tensor MeanAndRstd { readonly get => _saved0!; set => _saved0 = value; }

    /// <summary>RmsNorm: each row's 1/rms (N), from the forward pass.</summary>
    public Tensor InverseRms { readonly get => _saved1!; set => _saved1 = value; }
}
