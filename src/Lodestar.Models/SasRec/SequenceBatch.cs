// Right-padded batches of item sequences for a causal model. With the padding after the real items,
// causal attention alone keeps every real position from seeing a pad, so no key mask is needed.
namespace Lodestar.Models.SasRec;

public sealed class SequenceBatch
{
    private SequenceBatch(int batch, int length, int[] tokens, int[] lengths, int[] targetRows, int[] labels)
    {
        Batch = batch;
        Length = length;
        Tokens = tokens;
        Lengths = lengths;
        TargetRows = targetRows;
        Labels = labels;
    }

    /// <summary>B sequences.</summary>
    public int Batch { get; }

    /// <summary>T, the longest sequence of the batch.</summary>
    public int Length { get; }

    /// <summary>(B·T) item ids, 0 after each sequence's end.</summary>
    public int[] Tokens { get; }

    /// <summary>(B) real items per sequence.</summary>
    public int[] Lengths { get; }

    /// <summary>(N) rows b·T + t of positions that predict a next item (training only).</summary>
    public int[] TargetRows { get; }

    /// <summary>(N) the next item of each target row.</summary>
    public int[] Labels { get; }

    /// <summary>(B) the last real position of every sequence: where the next item is predicted.</summary>
    public int[] LastPositions() => [.. Lengths.Select(l => l - 1)];

    /// <summary>
    /// Next-item training examples: sequence s gives inputs s[0..n−1) and targets s[1..n), keeping the last
    /// maxLength positions. Sequences shorter than 2 items give nothing to learn and are rejected.
    /// </summary>
    public static SequenceBatch ForTraining(IReadOnlyList<ReadOnlyMemory<int>> sequences, ReadOnlySpan<int> indices, int maxLength)
    {
        var length = 0;
        foreach (var i in indices)
        {
            var n = sequences[i].Length;
            if (n < 2)
            {
                throw new ArgumentException($"training sequence {i} has {n} items; next-item training needs at least 2");
            }
            length = Math.Max(length, Math.Min(n - 1, maxLength));
        }
        var tokens = new int[indices.Length * length];
        var lengths = new int[indices.Length];
        var rows = new List<int>(tokens.Length);
        var labels = new List<int>(tokens.Length);
        for (var b = 0; b < indices.Length; b++)
        {
            var s = sequences[indices[b]].Span;
            var used = Math.Min(s.Length - 1, maxLength);
            var start = s.Length - 1 - used;
            lengths[b] = used;
            for (var t = 0; t < used; t++)
            {
                tokens[(b * length) + t] = s[start + t];
                rows.Add((b * length) + t);
                labels.Add(s[start + t + 1]);
            }
        }
        return new SequenceBatch(indices.Length, length, tokens, lengths, [.. rows], [.. labels]);
    }

    /// <summary>Histories to score: the last maxLength items of each (an empty history is an error).</summary>
    public static SequenceBatch ForScoring(ReadOnlySpan<ReadOnlyMemory<int>> histories, int maxLength)
    {
        var length = 0;
        for (var b = 0; b < histories.Length; b++)
        {
            if (histories[b].Length == 0)
            {
                throw new ArgumentException($"history {b} is empty; the model needs at least one item to predict the next");
            }
            length = Math.Max(length, Math.Min(histories[b].Length, maxLength));
        }
        var tokens = new int[histories.Length * length];
        var lengths = new int[histories.Length];
        for (var b = 0; b < histories.Length; b++)
        {
            var h = histories[b].Span;
            var used = Math.Min(h.Length, maxLength);
            h[^used..].CopyTo(tokens.AsSpan(b * length, used));
            lengths[b] = used;
        }
        return new SequenceBatch(histories.Length, length, tokens, lengths, [], []);
    }
}
