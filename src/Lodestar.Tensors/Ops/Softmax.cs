// Softmax and log-softmax over the last axis (max-subtracted for stability), forward and backward.
using System.Numerics.Tensors;

namespace Lodestar.Tensors;

public sealed partial class Graph
{
    /// <summary>x is (..., K); softmax over K.</summary>
    public Tensor Softmax(Tensor x)
    {
        x = Contiguous(x);
        var output = NewOutputLike(x);
        var k = x.Columns;
        for (var r = 0; r < x.Rows; r++)
        {
            SoftmaxRow(x.Data.Slice(r * k, k), output.Data.Slice(r * k, k));
        }
        if (Tracks(x))
        {
            Record(OpKind.Softmax, output).A = x;
        }
        return output;
    }

    /// <summary>x is (..., K); log-softmax over K: x − max − log Σ exp(x − max).</summary>
    public Tensor LogSoftmax(Tensor x)
    {
        x = Contiguous(x);
        var output = NewOutputLike(x);
        var k = x.Columns;
        for (var r = 0; r < x.Rows; r++)
        {
            LogSoftmaxRow(x.Data.Slice(r * k, k), output.Data.Slice(r * k, k));
        }
        if (Tracks(x))
        {
            Record(OpKind.LogSoftmax, output).A = x;
        }
        return output;
    }

    /// <summary>y = exp(x − max)/Σ exp(x − max); TensorPrimitives.SoftMax skips the max and overflows on large logits.</summary>
    internal static void SoftmaxRow(ReadOnlySpan<float> x, Span<float> y)
    {
        var max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        TensorPrimitives.Exp(y, y);
        TensorPrimitives.Multiply(y, 1f / TensorPrimitives.Sum(y), y);
    }

    internal static void LogSoftmaxRow(ReadOnlySpan<float> x, Span<float> y)
    {
        var max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        double sum = 0;
        foreach (var v in y)
        {
            sum += MathF.Exp(v);
        }
        TensorPrimitives.Subtract(y, (float)Math.Log(sum), y);
    }

    private void SoftmaxBackward(in TapeEntry entry)
    {
        // dx = y ⊙ (g − Σ g·y)
        var y = entry.Output.Data;
        var g = entry.Output.Grad;
        var dx = GradOf(entry.A!);
        var k = entry.Output.Columns;
        for (var r = 0; r < entry.Output.Rows; r++)
        {
            var yr = y.Slice(r * k, k);
            var gr = g.Slice(r * k, k);
            var dot = TensorPrimitives.Dot(gr, yr);
            var dxr = dx.Slice(r * k, k);
            for (var i = 0; i < k; i++)
            {
                dxr[i] += yr[i] * (gr[i] - dot);
            }
        }
    }

    private void LogSoftmaxBackward(in TapeEntry entry)
    {
        // dx = g − softmax(x)·Σ g, softmax = exp(y)
        var y = entry.Output.Data;
        var g = entry.Output.Grad;
        var dx = GradOf(entry.A!);
        var k = entry.Output.Columns;
        for (var r = 0; r < entry.Output.Rows; r++)
        {
            var yr = y.Slice(r * k, k);
            var gr = g.Slice(r * k, k);
            var sum = TensorPrimitives.Sum(gr);
            var dxr = dx.Slice(r * k, k);
            for (var i = 0; i < k; i++)
            {
                dxr[i] += gr[i] - (MathF.Exp(yr[i]) * sum);
            }
        }
    }
}
