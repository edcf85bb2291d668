// Structured pruning of a match model: whole attention heads, MLP hidden channels and blocks, chosen by a first-order
// Taylor estimate of how much the loss rises when each is removed, and cut out of the weights so the pruned model is
// smaller and faster, not merely sparse.
//
// Why this estimate: put a gate ξ = 1 on a unit's output. Removing the unit sets ξ = 0, and to first order the loss
// changes by ∂L/∂ξ (Molchanov et al. 2019, "Importance Estimation for Neural Network Pruning"; Michel et al. 2019, "Are
// Sixteen Heads Really Better than One?", who gate heads this way). The gate needs no new op: a head's output enters
// the block only through its columns of the attention projection, so ∂L/∂ξ_h = Σ W ⊙ ∂L/∂W over those columns; an
// MLP channel enters through its column of fc2; a whole block through both sublayers' outputs, biases included. The
// loss is the one the pruned model is then distilled with, and |∂L/∂ξ| is summed over batches (a unit whose removal
// helps on some batches and hurts on others is not thereby free), so scores of any two units are in the same units
// (loss change) and compare across blocks.
using Lodestar.Features.JobMatching;
using Lodestar.Models.JobMatching;
using Lodestar.Nn;
using Lodestar.Tensors;

namespace Lodestar.Compression.JobMatching;

/// <summary>Importance of each unit of a model: Σ over batches of |∂L/∂ξ| for a gate on the unit (see the file's opening).</summary>
/// <param name="Heads">Per block, one score per attention head.</param>
/// <param name="Channels">Per block, one score per MLP hidden channel.</param>
/// <param name="Layers">One score per block.</param>
public sealed record UnitImportance(double[][] Heads, double[][] Channels, double[] Layers, int Batches, int Examples);

/// <summary>How many units one pruning step removes from the model it is applied to.</summary>
public sealed record PruningAmount(int Layers, int Heads, int Channels);

public static class StructuredPruning
{
    public const string TaylorCriterion = "taylor";

    /// <summary>
    /// Scores every head, MLP channel and block of <paramref name="model"/> on <paramref name="examples"/> in batches under
    /// <paramref name="loss"/> (a batch's loss from its logits, recorded on the graph, as MatchTrainer.BatchLoss gives it);
    /// the model's weights are unchanged and its gradients are cleared afterwards.
    /// </summary>
    public static UnitImportance Estimate(MatchModel model, IReadOnlyList<MatchExample> examples, Func<Graph, Tensor, IReadOnlyList<MatchExample>, Tensor> loss, int batchSize = 64)
    {
        if (examples.Count == 0)
        {
            throw new ArgumentException("pruning importance: no examples to estimate it on (the calibration split is empty)", nameof(examples));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var blocks = model.Encoder.Blocks.Blocks;
        var heads = blocks.Select(b => new double[b.Attention.Heads]).ToArray();
        var channels = blocks.Select(b => new double[b.Mlp.Fc2.Weight.Dim(1)]).ToArray();
        var layers = new double[blocks.Count];
        var graph = new Graph();
        model.Train();
        var batches = 0;
        try
        {
            for (var start = 0; start < examples.Count; start += batchSize)
            {
                var count = Math.Min(batchSize, examples.Count - start);
                var batch = new MatchExample[count];
                for (var i = 0; i < count; i++)
                {
                    batch[i] = examples[start + i];
                }
                model.ZeroGrad();
                graph.Reset();
                var (tokens, keep, length) = MatchScorer.Pack(batch, 0, count, model.Config.MaxTokens);
                var logits = model.Forward(graph, tokens, count, length, keep, MatchScorer.MemberLengths(batch, 0, count));
                graph.Backward(loss(graph, logits, batch));
                for (var l = 0; l < blocks.Count; l++)
                {
                    var (attention, mlp) = (blocks[l].Attention, blocks[l].Mlp);
                    var headScores = ColumnGroupSums(attention.Proj.Weight, attention.HeadDim);
                    var channelScores = ColumnGroupSums(mlp.Fc2.Weight, 1);
                    for (var h = 0; h < headScores.Length; h++)
                    {
                        heads[l][h] += Math.Abs(headScores[h]);
                    }
                    for (var k = 0; k < channelScores.Length; k++)
                    {
                        channels[l][k] += Math.Abs(channelScores[k]);
                    }
                    layers[l] += Math.Abs(headScores.Sum() + Dot(attention.Proj.Bias) + channelScores.Sum() + Dot(mlp.Fc2.Bias));
                }
                batches++;
            }
        }
        finally
        {
            model.ZeroGrad();
            model.Eval();
        }
        return new UnitImportance(heads, channels, layers, batches, examples.Count);
    }

    /// <summary>
    /// The least important units to remove: <paramref name="amount"/>.Layers whole blocks first (at least one block
    /// stays), then, among the blocks that stay, the least important heads and MLP channels over all of them (each block
    /// keeps at least one of each). Ties go to the lower index.
    /// </summary>
    public static PrunedUnits Choose(UnitImportance importance, PruningAmount amount)
    {
        var blocks = importance.Layers.Length;
        if (amount.Layers < 0 || amount.Heads < 0 || amount.Channels < 0)
        {
            throw new ArgumentException($"pruning amount {amount}: counts must not be negative");
        }
        if (amount.Layers >= blocks)
        {
            throw new ArgumentException($"pruning amount {amount}: removing {amount.Layers} of {blocks} blocks leaves none");
        }
        int[] removedLayers = [.. Enumerable.Range(0, blocks).OrderBy(l => importance.Layers[l]).ThenBy(l => l).Take(amount.Layers).Order()];
        var kept = Enumerable.Range(0, blocks).Except(removedLayers).ToArray();
        return new PrunedUnits(TaylorCriterion, removedLayers,
            LeastImportant(importance.Heads, kept, amount.Heads, "heads"), LeastImportant(importance.Channels, kept, amount.Channels, "MLP channels"));
    }

    /// <summary>
    /// A new model without the <paramref name="removed"/> units: the kept heads' rows of q, k and v and columns of the
    /// projection, the kept channels' rows of fc1 (and the gate) and columns of fc2, the kept blocks in order, every
    /// other weight as it was. Its record of pruning is <paramref name="model"/>'s plus this step.
    /// </summary>
    public static MatchModel Prune(MatchModel model, PrunedUnits removed)
    {
        var config = model.Config;
        var transformer = model.Encoder.Transformer;
        var blocks = model.Encoder.Blocks.Blocks;
        if (removed.Heads.Length != blocks.Count || removed.Channels.Length != blocks.Count)
        {
            throw new ArgumentException($"pruning step lists heads of {removed.Heads.Length} and channels of {removed.Channels.Length} blocks; the model has {blocks.Count}");
        }
        var keptLayers = Enumerable.Range(0, blocks.Count).Except(removed.Layers).ToArray();
        if (keptLayers.Length == 0 || removed.Layers.Any(l => l < 0 || l >= blocks.Count))
        {
            throw new ArgumentException($"pruning step removes blocks [{string.Join(", ", removed.Layers)}] of a model with {blocks.Count}: none may be outside it and one must stay");
        }
        var keptHeads = keptLayers.Select(l => Kept(blocks[l].Attention.Heads, removed.Heads[l], $"block {l} heads")).ToArray();
        var keptChannels = keptLayers.Select(l => Kept(blocks[l].Mlp.Fc2.Weight.Dim(1), removed.Channels[l], $"block {l} MLP channels")).ToArray();
        var prunedConfig = config with
        {
            Layers = keptLayers.Length,
            LayerHeads = keptHeads.All(h => h.Length == config.Heads) ? null : new LayerWidths(keptHeads.Select(h => h.Length)),
            LayerFeedForward = keptChannels.All(c => c.Length == config.FeedForward) ? null : new LayerWidths(keptChannels.Select(c => c.Length)),
        };
        var pruned = new MatchModel(model.Role, prunedConfig, transformer.VocabSize, model.Layout) { Pruning = [.. model.Pruning, removed] };
        var source = model.StateDict();
        var target = pruned.StateDict();
        var written = new HashSet<string>(StringComparer.Ordinal);
        Tensor Target(string name)
        {
            written.Add(name);
            return target[name];
        }
        const string blockPrefix = "encoder.blocks.";
        foreach (var name in target.Keys.Where(n => !n.StartsWith(blockPrefix, StringComparison.Ordinal)))
        {
            source[name].Data.CopyTo(Target(name).Data);
        }
        var d = transformer.HeadDim;
        for (var i = 0; i < keptLayers.Length; i++)
        {
            var (from, to) = ($"{blockPrefix}{keptLayers[i]}.", $"{blockPrefix}{i}.");
            foreach (var norm in new[] { "ln1.weight", "ln1.bias", "ln2.weight", "ln2.bias" })
            {
                source[from + norm].Data.CopyTo(Target(to + norm).Data);
            }
            // qkv rows are [q | k | v], each split into heads of d rows; the projection's columns follow the heads.
            var inner = blocks[keptLayers[i]].Attention.Heads * d;
            int[] qkvRows = [.. new[] { 0, 1, 2 }.SelectMany(part => keptHeads[i].SelectMany(h => Enumerable.Range((part * inner) + (h * d), d)))];
            int[] headColumns = [.. keptHeads[i].SelectMany(h => Enumerable.Range(h * d, d))];
            CopyRows(source[from + "attn.qkv.weight"], Target(to + "attn.qkv.weight"), qkvRows);
            CopyRows(source[from + "attn.qkv.bias"], Target(to + "attn.qkv.bias"), qkvRows);
            CopyColumns(source[from + "attn.proj.weight"], Target(to + "attn.proj.weight"), headColumns);
            source[from + "attn.proj.bias"].Data.CopyTo(Target(to + "attn.proj.bias").Data);
            foreach (var hidden in new[] { "mlp.fc1", "mlp.gate" }.Where(h => source.ContainsKey(from + h + ".weight")))
            {
                CopyRows(source[from + hidden + ".weight"], Target(to + hidden + ".weight"), keptChannels[i]);
                CopyRows(source[from + hidden + ".bias"], Target(to + hidden + ".bias"), keptChannels[i]);
            }
            CopyColumns(source[from + "mlp.fc2.weight"], Target(to + "mlp.fc2.weight"), keptChannels[i]);
            source[from + "mlp.fc2.bias"].Data.CopyTo(Target(to + "mlp.fc2.bias").Data);
        }
        if (target.Keys.FirstOrDefault(n => !written.Contains(n)) is { } missed)
        {
            throw new InvalidOperationException($"structured pruning: no rule copies the pruned model's parameter '{missed}'");
        }
        pruned.Eval();
        return pruned;
    }

    /// <summary>Σ over rows of W ⊙ ∂L/∂W for each group of <paramref name="width"/> consecutive columns of a (rows, columns) weight.</summary>
    private static double[] ColumnGroupSums(Tensor weight, int width)
    {
        var values = weight.Data;
        var grads = weight.Grad;
        int rows = weight.Dim(0), columns = weight.Dim(1);
        var sums = new double[columns / width];
        if (grads.IsEmpty)
        {
            return sums;
        }
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                sums[c / width] += (double)values[(r * columns) + c] * grads[(r * columns) + c];
            }
        }
        return sums;
    }

    private static double Dot(Tensor? bias)
    {
        if (bias is null || bias.Grad.IsEmpty)
        {
            return 0;
        }
        var values = bias.Data;
        var grads = bias.Grad;
        var sum = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            sum += (double)values[i] * grads[i];
        }
        return sum;
    }

    private static int[][] LeastImportant(double[][] scores, int[] keptLayers, int count, string what)
    {
        var removable = keptLayers.Sum(l => scores[l].Length - 1);
        if (count > removable)
        {
            throw new ArgumentException($"pruning: {count} {what} to remove, but only {removable} can go while every remaining block keeps one");
        }
        var removed = scores.Select(_ => new List<int>()).ToArray();
        var candidates = keptLayers.SelectMany(l => Enumerable.Range(0, scores[l].Length).Select(u => (Layer: l, Unit: u)))
            .OrderBy(c => scores[c.Layer][c.Unit]).ThenBy(c => c.Layer).ThenBy(c => c.Unit);
        var left = count;
        foreach (var (layer, unit) in candidates)
        {
            if (left == 0)
            {
                break;
            }
            if (removed[layer].Count < scores[layer].Length - 1)
            {
                removed[layer].Add(unit);
                left--;
            }
        }
        return [.. removed.Select(r => r.Order().ToArray())];
    }

    private static int[] Kept(int units, int[] removed, string what)
    {
        if (removed.Any(u => u < 0 || u >= units) || removed.Distinct().Count() != removed.Length)
        {
            throw new ArgumentException($"pruning step removes {what} [{string.Join(", ", removed)}] of {units}: each must be a distinct index inside it");
        }
        var kept = Enumerable.Range(0, units).Except(removed).ToArray();
        return kept.Length > 0 ? kept : throw new ArgumentException($"pruning step removes all {units} {what}; at least one must stay");
    }

    /// <summary>Copies the given rows of a (rows, columns) weight, or the given elements of a bias, in order.</summary>
    private static void CopyRows(Tensor source, Tensor target, int[] rows)
    {
        var width = source.Rank == 1 ? 1 : source.Columns;
        for (var i = 0; i < rows.Length; i++)
        {
            source.Data.Slice(rows[i] * width, width).CopyTo(target.Data.Slice(i * width, width));
        }
    }

    private static void CopyColumns(Tensor source, Tensor target, int[] columns)
    {
        int rows = source.Dim(0), from = source.Dim(1), to = target.Dim(1);
        for (var r = 0; r < rows; r++)
        {
            for (var i = 0; i < columns.Length; i++)
            {
                target.Data[(r * to) + i] = source.Data[(r * from) + columns[i]];
            }
        }
    }
}
