// Fused loss ops whose gradients are simpler than their compositions: softmax cross-entropy (label
// smoothing, ignore index; PyTorch semantics) and binary cross-entropy on logits (per-example weights).
using System.Numerics.Tensors;

namespace Lodestar.Tensors;

public sealed partial class Graph
{
    /// <summary>
    /// logits are (N,K), labels (N). Mean over labels ≠ ignoreIndex of (1−ε)·(−log p_y) + ε·mean_k(−log p_k)
    /// (PyTorch F.cross_entropy with label_smoothing = ε).
    /// </summary>
    public Tensor CrossEntropy(Tensor logits, int[] labels, float labelSmoothing = 0f, int ignoreIndex = -100)
    {
        logits = Contiguous(logits);
        Require(logits.Rank == 2 && logits.Dim(0) == labels.Length, $"cross entropy: logits {logits.Describe()} need one label per row ({labels.Length})");
        Require(labelSmoothing is >= 0f and < 1f, $"cross entropy: label smoothing {labelSmoothing} must be in [0,1)");
        var k = logits.Columns;
        var logProbs = NewOutputLike(logits);
        double total = 0;
        var counted = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var row = logProbs.Data.Slice(i * k, k);
            LogSoftmaxRow(logits.Data.Slice(i * k, k), row);
            if (labels[i] == ignoreIndex)
            {
                continue;
            }
            Require((uint)labels[i] < (uint)k, $"cross entropy: label {labels[i]} of row {i} is outside [0,{k})");
            total -= ((1f - labelSmoothing) * row[labels[i]]) + (labelSmoothing * TensorPrimitives.Sum(row) / k);
            counted++;
        }
        var output = NewOutput([]);
        output.Data[0] = counted == 0 ? 0f : (float)(total / counted);
        if (Tracks(logits))
        {
            ref var entry = ref Record(OpKind.CrossEntropy, output);
            entry.A = logits;
            entry.Saved0 = logProbs;
            entry.Aux = labels;
            entry.F0 = labelSmoothing;
            entry.I0 = ignoreIndex;
            entry.I1 = counted;
        }
        return output;
    }

    private void CrossEntropyBackward(in TapeEntry entry)
    {
        // d logits = (softmax − q)/N_counted, q = (1−ε)·onehot(y) + ε/K.
        var labels = (int[])entry.Aux!;
        var k = entry.A!.Columns;
        var counted = entry.I1;
        if (counted == 0)
        {
            return;
        }
        var scale = entry.Output.Grad[0] / counted;
        var smoothing = entry.F0;
        var logProbs = entry.Saved0!.Data;
        var dx = GradOf(entry.A!);
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] == entry.I0)
            {
                continue;
            }
            var row = logProbs.Slice(i * k, k);
            var dRow = dx.Slice(i * k, k);
            for (var j = 0; j < k; j++)
            {
                var target = (j == labels[i] ? 1f - smoothing : 0f) + (smoothing / k);
                dRow[j] += scale * (MathF.Exp(row[j]) - target);
            }
        }
    }

    /// <summary>
    /// logits and targets have the same shape (targets in [0,1], no gradient); weights (same shape) or null.
    /// Mean of w·(max(x,0) − x·y + log(1 + e^−|x|)), the stable form of −w·[y·log σ(x) + (1−y)·log(1−σ(x))].
    /// </summary>
    public Tensor BceWithLogits(Tensor logits, Tensor targets, Tensor? weights = null)
    {
        logits = Contiguous(logits);
        targets = Contiguous(targets);
        Require(logits.Length == targets.Length, $"bce: logits {logits.Describe()} and targets {targets.Describe()} differ in size");
        Require(weights is null || weights.Length == logits.Length, $"bce: weights {weights?.Describe()} differ in size from {logits.Describe()}");
        var x = logits.Data;
        var y = targets.Data;
        double total = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var w = weights is null ? 1f : weights.Data[i];
            total += w * (Math.Max(x[i], 0f) - (x[i] * y[i]) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x[i]))));
        }
        var output = NewOutput([]);
        output.Data[0] = (float)(total / Math.Max(x.Length, 1));
        if (Tracks(logits))
        {
            ref var entry = ref Record(OpKind.BceWithLogits, output);
            entry.A = logits;
            entry.B = targets;
            entry.C = weights;
        }
        return output;
    }

    private void BceWithLogitsBackward(in TapeEntry entry)
    {
        // d/dx = w·(σ(x) − y)/N
        var x = entry.A!.Data;
        var y = entry.B!.Data;
        var weights = entry.C;
        var scale = entry.Output.Grad[0] / x.Length;
        var dx = GradOf(entry.A!);
        for (var i = 0; i < x.Length; i++)
        {
            var w = weights is null ? 1f : weights.Data[i];
            dx[i] += scale * w * ((1f / (1f + MathF.Exp(-x[i]))) - y[i]);
        }
    }
}
