// LayerNorm (Ba et al. 2016) and RMSNorm (Zhang & Sennrich 2019) over the last axis, forward and backward.
// Forward saves each row's mean and 1/σ; backward uses the llm.c form of the normalization Jacobian.
using System.Numerics.Tensors;

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
        var tracks = Tracks(x, weight, bias);
        var mean = tracks ? NewOutput([rows]) : null;
        var rstd = tracks ? NewOutput([rows]) : null;
        var src = x.Data;
        var dst = output.Data;
        var w = weight.Data;
        for (var r = 0; r < rows; r++)
        {
            var row = src.Slice(r * channels, channels);
            var outRow = dst.Slice(r * channels, channels);
            var mu = TensorPrimitives.Sum(row) / channels;
            TensorPrimitives.Subtract(row, mu, outRow);
            var variance = TensorPrimitives.SumOfSquares(outRow) / channels;
            var s = 1f / MathF.Sqrt(variance + eps);
            TensorPrimitives.Multiply(outRow, s, outRow);
            TensorPrimitives.Multiply(outRow, w, outRow);
            if (bias is not null)
            {
                TensorPrimitives.Add(outRow, bias.Data, outRow);
            }
            if (tracks)
            {
                mean!.Data[r] = mu;
                rstd!.Data[r] = s;
            }
        }
        if (tracks)
        {
            ref var entry = ref Record(OpKind.LayerNorm, output);
            entry.A = x;
            entry.B = weight;
            entry.C = bias;
            entry.Saved0 = mean;
            entry.Saved1 = rstd;
        }
        return output;
    }

    private void LayerNormBackward(in TapeEntry entry)
    {
        var x = entry.A!;
        var weight = entry.B!;
        var bias = entry.C;
        var channels = x.Columns;
        var rows = x.Rows;
        var g = entry.Output.Grad;
        var src = x.Data;
        var w = weight.Data;
        var mean = entry.Saved0!.Data;
        var rstd = entry.Saved1!.Data;
        var dx = x.RequiresGrad ? GradOf(x) : Span<float>.Empty;
        var dw = weight.RequiresGrad ? GradOf(weight) : Span<float>.Empty;
        var db = bias is not null && bias.RequiresGrad ? GradOf(bias) : Span<float>.Empty;
        var xhat = Scratch(channels);
        var dxhat = Scratch(channels);
        for (var r = 0; r < rows; r++)
        {
            var gRow = g.Slice(r * channels, channels);
            TensorPrimitives.Subtract(src.Slice(r * channels, channels), mean[r], xhat);
            TensorPrimitives.Multiply(xhat, rstd[r], xhat);
            if (!db.IsEmpty)
            {
                VectorMath.AddInto(gRow, db);
            }
            if (!dw.IsEmpty)
            {
                VectorMath.AddProductInto(gRow, xhat, dw);
            }
            if (dx.IsEmpty)
            {
                continue;
            }
            // dx = rstd·(dxhat − mean(dxhat) − xhat·mean(dxhat·xhat)), dxhat = g·weight.
            TensorPrimitives.Multiply(gRow, w, dxhat);
            var meanDxhat = TensorPrimitives.Sum(dxhat) / channels;
            var meanDxhatXhat = TensorPrimitives.Dot(dxhat, xhat) / channels;
            var dxRow = dx.Slice(r * channels, channels);
            for (var c = 0; c < channels; c++)
            {
                dxRow[c] += rstd[r] * (dxhat[c] - meanDxhat - (xhat[c] * meanDxhatXhat));
            }
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
        var tracks = Tracks(x, weight);
        var rstd = tracks ? NewOutput([rows]) : null;
        for (var r = 0; r < rows; r++)
        {
            var row = x.Data.Slice(r * channels, channels);
            var outRow = output.Data.Slice(r * channels, channels);
            var s = 1f / MathF.Sqrt((TensorPrimitives.SumOfSquares(row) / channels) + eps);
            TensorPrimitives.Multiply(row, s, outRow);
            TensorPrimitives.Multiply(outRow, weight.Data, outRow);
            if (tracks)
            {
                rstd!.Data[r] = s;
            }
        }
        if (tracks)
        {
            ref var entry = ref Record(OpKind.RmsNorm, output);
            entry.A = x;
            entry.B = weight;
            entry.Saved0 = rstd;
        }
        return output;
    }

    private void RmsNormBackward(in TapeEntry entry)
    {
        var x = entry.A!;
        var weight = entry.B!;
        var channels = x.Columns;
        var rows = x.Rows;
        var g = entry.Output.Grad;
        var rstd = entry.Saved0!.Data;
        var dx = x.RequiresGrad ? GradOf(x) : Span<float>.Empty;
        var dw = weight.RequiresGrad ? GradOf(weight) : Span<float>.Empty;
        var xhat = Scratch(channels);
        var dxhat = Scratch(channels);
        for (var r = 0; r < rows; r++)
        {
            var gRow = g.Slice(r * channels, channels);
            TensorPrimitives.Multiply(x.Data.Slice(r * channels, channels), rstd[r], xhat);
            if (!dw.IsEmpty)
            {
                VectorMath.AddProductInto(gRow, xhat, dw);
            }
            if (dx.IsEmpty)
            {
                continue;
            }
            // dx = rstd·(dxhat − xhat·mean(dxhat·xhat)), dxhat = g·weight.
            TensorPrimitives.Multiply(gRow, weight.Data, dxhat);
            var meanDxhatXhat = TensorPrimitives.Dot(dxhat, xhat) / channels;
            var dxRow = dx.Slice(r * channels, channels);
            for (var c = 0; c < channels; c++)
            {
                dxRow[c] += rstd[r] * (dxhat[c] - (xhat[c] * meanDxhatXhat));
            }
        }
    }
}
