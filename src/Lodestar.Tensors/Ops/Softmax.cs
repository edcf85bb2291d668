// Softmax and log-softmax over the last axis on the Kernels' row kernels (max-subtracted, so large
// logits do not overflow), forward and backward.
namespace Lodestar.Tensors;

public sealed partial class Graph
{
    /// <summary>x is (..., K); softmax over K.</summary>
    public Tensor Softmax(Tensor x)
    {
        x = Contiguous(x);
        var output = NewOutputLike(x);
        Kernels.Softmax.Forward(x.Data, output.Data, x.Rows, x.Columns);
        RecordIfTracked(OpKind.Softmax, output, x);
        return output;
    }

    /// <summary>x is (..., K); log-softmax over K: x − max − log Σ exp(x − max).</summary>
    public Tensor LogSoftmax(Tensor x)
    {
        x = Contiguous(x);
        var output = NewOutputLike(x);
        Kernels.Softmax.LogForward(x.Data, output.Data, x.Rows, x.Columns);
        RecordIfTracked(OpKind.LogSoftmax, output, x);
        return output;
    }

    // dx += y ⊙ (g − Σ g·y)
    private void SoftmaxBackward(in TapeEntry entry) =>
        Kernels.Softmax.Backward(entry.Output.Data, entry.Output.Grad, GradOf(entry.Input), entry.Output.Rows, entry.Output.Columns);

    // dx += g − exp(y)·Σ g
    private void LogSoftmaxBackward(in TapeEntry entry) =>
        Kernels.Softmax.LogBackward(entry.Output.Data, entry.Output.Grad, GradOf(entry.Input), entry.Output.Rows, entry.Output.Columns);
}
