// Reductions: total sum/mean, sum/mean over the last axis, and sequence pooling (masked mean, picking
// one token per sequence for CLS or last-token pooling). Backward spreads the gradient back.
using System.Numerics.Tensors;

namespace Lodestar.Tensors;

public sealed partial class Graph
{
    /// <summary>Sum of all elements, a scalar (accumulated in double).</summary>
    public Tensor Sum(Tensor x)
    {
        x = Contiguous(x);
        var output = NewOutput([]);
        output.Data[0] = (float)VectorMath.SumDouble(x.Data);
        RecordIfTracked(OpKind.Sum, output, x);
        return output;
    }

    public Tensor Mean(Tensor x) => Scale(Sum(x), 1f / Math.Max(x.Length, 1));

    /// <summary>x is (..., K); returns (...) with the sum over K.</summary>
    public Tensor SumLastDim(Tensor x)
    {
        x = Contiguous(x);
        var output = NewOutput(x.ShapeSpan[..^1]);
        var k = x.Columns;
        for (var r = 0; r < x.Rows; r++)
        {
            output.Data[r] = TensorPrimitives.Sum(x.Data.Slice(r * k, k));
        }
        RecordIfTracked(OpKind.SumLastDim, output, x);
        return output;
    }

    public Tensor MeanLastDim(Tensor x) => Scale(SumLastDim(x), 1f / Math.Max(x.Columns, 1));

    /// <summary>
    /// x is (B,T,C); keep is (B·T) with 1 for real tokens and 0 for padding (null keeps all).
    /// Returns (B,C), the mean over each sequence's kept positions.
    /// </summary>
    public Tensor MaskedMeanPool(Tensor x, byte[]? keep = null)
    {
        x = Contiguous(x);
        Require(x.Rank == 3, $"mean pooling: input {x.Describe()} must be (B,T,C)");
        int batch = x.Dim(0), tokens = x.Dim(1), channels = x.Dim(2);
        Require(keep is null || keep.Length == batch * tokens, $"mean pooling: mask has {keep?.Length} entries for B·T = {batch * tokens}");
        var output = NewOutput([batch, channels]);
        var counts = NewOutput([batch]);
        for (var b = 0; b < batch; b++)
        {
            var pooled = output.Data.Slice(b * channels, channels);
            pooled.Clear();
            var count = 0;
            for (var t = 0; t < tokens; t++)
            {
                if (keep is null || keep[(b * tokens) + t] != 0)
                {
                    VectorMath.AddInto(x.Data.Slice(((b * tokens) + t) * channels, channels), pooled);
                    count++;
                }
            }
            Require(count > 0, $"mean pooling: sequence {b} has no unpadded token");
            TensorPrimitives.Multiply(pooled, 1f / count, pooled);
            counts.Data[b] = count;
        }
        if (Tracks(x))
        {
            ref var entry = ref Record(OpKind.MaskedMeanPool, output);
            entry.Input = x;
            entry.KeptCounts = counts;
            entry.Keep = keep;
        }
        return output;
    }

    /// <summary>x is (B,T,C); returns (B,C) holding x[b, positions[b]] (CLS: all 0; last token: length − 1).</summary>
    public Tensor SelectTokens(Tensor x, int[] positions)
    {
        x = Contiguous(x);
        Require(x.Rank == 3 && positions.Length == x.Dim(0), $"select tokens: need (B,T,C) input and B positions, got {x.Describe()} and {positions.Length}");
        int batch = x.Dim(0), tokens = x.Dim(1), channels = x.Dim(2);
        var output = NewOutput([batch, channels]);
        for (var b = 0; b < batch; b++)
        {
            Require((uint)positions[b] < (uint)tokens, $"select tokens: position {positions[b]} of sequence {b} is outside [0,{tokens})");
            x.Data.Slice(((b * tokens) + positions[b]) * channels, channels).CopyTo(output.Data.Slice(b * channels, channels));
        }
        RecordIfTracked(OpKind.SelectTokens, output, x, positions);
        return output;
    }

    private void SumBackward(in TapeEntry entry)
    {
        var g = entry.Output.Grad[0];
        var dx = GradOf(entry.Input);
        TensorPrimitives.Add(dx, g, dx);
    }

    private void SumLastDimBackward(in TapeEntry entry)
    {
        var g = entry.Output.Grad;
        var dx = GradOf(entry.Input);
        var k = entry.Input.Columns;
        for (var r = 0; r < g.Length; r++)
        {
            var row = dx.Slice(r * k, k);
            TensorPrimitives.Add(row, g[r], row);
        }
    }

    private void MaskedMeanPoolBackward(in TapeEntry entry)
    {
        var x = entry.Input;
        int batch = x.Dim(0), tokens = x.Dim(1), channels = x.Dim(2);
        var keep = entry.Keep;
        var g = entry.Output.Grad;
        var dx = GradOf(x);
        var counts = entry.KeptCounts.Data;
        for (var b = 0; b < batch; b++)
        {
            var share = 1f / counts[b];
            for (var t = 0; t < tokens; t++)
            {
                if (keep is null || keep[(b * tokens) + t] != 0)
                {
                    VectorMath.AddScaledInto(g.Slice(b * channels, channels), share, dx.Slice(((b * tokens) + t) * channels, channels));
                }
            }
        }
    }

    private void SelectTokensBackward(in TapeEntry entry)
    {
        var x = entry.Input;
        int tokens = x.Dim(1), channels = x.Dim(2);
        var positions = entry.Positions;
        var g = entry.Output.Grad;
        var dx = GradOf(x);
        for (var b = 0; b < positions.Length; b++)
        {
            VectorMath.AddInto(g.Slice(b * channels, channels), dx.Slice(((b * tokens) + positions[b]) * channels, channels));
        }
    }
}

/// <summary>What the reductions' backward passes read besides their input.</summary>
internal partial struct TapeEntry
{
    /// <summary>Masked mean pooling: the kept tokens of each sequence (B).</summary>
    public Tensor KeptCounts { readonly get => _saved0!; set => _saved0 = value; }

    /// <summary>Masked mean pooling: 1 for a kept token (B·T), or null for all.</summary>
    public byte[]? Keep { readonly get => _flags; set => _flags = value; }

    /// <summary>SelectTokens: the flat token row picked for each output row.</summary>
    public int[] Positions { readonly get => _indices!; set => _indices = value; }
}
