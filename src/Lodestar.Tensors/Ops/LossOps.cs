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
        Kernels.Softmax.LogForward(logits.Data, logProbs.Data, labels.Length, k);
        double total = 0;
        var counted = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var row = logProbs.Data.Slice(i * k, k);
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
            entry.Logits = logits;
            entry.LogProbabilities = logProbs;
            entry.Labels = labels;
            entry.LabelSmoothing = labelSmoothing;
            entry.IgnoreIndex = ignoreIndex;
            entry.CountedLabels = counted;
        }
        return output;
    }

    private void CrossEntropyBackward(in TapeEntry entry)
    {
        // d logits = (softmax − q)/N_counted, q = (1−ε)·onehot(y) + ε/K.
        var labels = entry.Labels;
        var k = entry.Logits.Columns;
        var counted = entry.CountedLabels;
        if (counted == 0)
        {
            return;
        }
        var scale = entry.Output.Grad[0] / counted;
        var smoothing = entry.LabelSmoothing;
        var logProbs = entry.LogProbabilities.Data;
        var dx = GradOf(entry.Logits);
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] == entry.IgnoreIndex)
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
            entry.Logits = logits;
            entry.Targets = targets;
            entry.TargetWeights = weights;
        }
        return output;
    }

    private void BceWithLogitsBackward(in TapeEntry entry)
    {
        // d/dx = w·(σ(x) − y)/N
        var x = entry.Logits.Data;
        var y = entry.Targets.Data;
        var weights = entry.TargetWeights;
        var scale = entry.Output.Grad[0] / x.Length;
        var dx = GradOf(entry.Logits);
        for (var i = 0; i < x.Length; i++)
        {
            var w = weights is null ? 1f : weights.Data[i];
            dx[i] += scale * w * ((1f / (1f + MathF.Exp(-x[i]))) - y[i]);
        }
    }
}

/// <summary>What the losses' backward passes read.</summary>
internal partial struct TapeEntry
{
    /// <summary>Logits x (N, K) of a cross-entropy, or (N) of a binary cross-entropy.</summary>
    public Tensor Logits { readonly get => _input0!; set => _input0 = value; }

    /// <summary>Cross-entropy: log softmax(x) (N, K) from the forward pass.</summary>
    public Tensor LogProbabilities { readonly get => _saved0!; set => _saved0 = value; }

    /// <summary>Cross-entropy: the class of each row (N).</summary>
    public int[] Labels { readonly get => _indices!; set => _indices = value; }

    /// <summary>Cross-entropy: label smoothing ε.</summary>
    public float LabelSmoothing { readonly get => _float0; set => _float0 = value; }

    /// <summary>Cross-entropy: rows with this label add nothing.</summary>
    public int IgnoreIndex { readonly get => _int0; set => _int0 = value; }

    /// <summary>Cross-entropy: rows that count (the mean's denominator).</summary>
    public int CountedLabels { readonly get => _int1; set => _int1 = value; }

    /// <summary>Binary cross-entropy: targets y (N) in [0,1].</summary>
    public Tensor Targets { readonly get => _input1!; set => _input1 = value; }

    /// <summary>Binary cross-entropy: per-row weights (N), or null.</summary>
    public Tensor? TargetWeights { readonly get => _input2; set => _input2 = value; }
}
