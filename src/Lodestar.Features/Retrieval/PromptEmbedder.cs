// Embeds token sequences with the shared retrieval encoder as every reader of its embeddings needs them: mean-pooled,
// L2-normalised rows, so the inner product is the cosine similarity the index ranks by. Training, evaluation, the
// nearline pipeline and serving all call the same Encode.
using Lodestar.Models.Bert;
using Lodestar.Nn;
using Lodestar.Tensors;

namespace Lodestar.Features.Retrieval;

public sealed class PromptEmbedder
{
    private readonly BertModel _model;
    private readonly int _batchSize;
    private readonly Graph _graph = new(recordGradients: false);

    /// <param name="batchSize">Sequences per forward pass; more only costs memory.</param>
    public PromptEmbedder(BertModel model, int batchSize = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _model = model;
        _batchSize = batchSize;
    }

    /// <summary>C, the width of every embedding.</summary>
    public int Dimension => _model.Config.Channels;

    /// <summary>Sequences encoded together, each group padded to its own longest (see <see cref="Encode"/>).</summary>
    public const int GroupSize = 8;

    /// <summary>
    /// L2-normalised embeddings (B,C) of token sequences by <paramref name="model"/>, recorded on the graph. Padding every
    /// sequence to the batch's longest spends work and memory on the padding of short prompts, so the sequences are taken
    /// in order of length, <see cref="GroupSize"/> at a time, each group padded to its own longest, and the rows put back
    /// in the given order (up to <see cref="GroupSize"/> sequences are one group as given). A row's embedding does not depend
    /// on the other sequences (padding is masked).
    /// </summary>
    public static Tensor Encode(BertModel model, Graph graph, IReadOnlyList<int[]> sequences)
    {
        var order = LengthOrder(sequences);
        Tensor? rows = null;
        foreach (var indices in Groups(order))
        {
            var group = indices.Select(i => sequences[i]).ToList();
            var (tokens, keep, length) = RetrievalPrompts.Pack(group);
            var embedded = model.Embed(graph, tokens, group.Count, length, keep: keep);
            rows = rows is null ? embedded : graph.Concat(rows, embedded, axis: 0);
        }
        if (rows is null)
        {
            var (tokens, keep, length) = RetrievalPrompts.Pack(sequences);
            return Losses.L2Normalize(graph, model.Embed(graph, tokens, 0, length, keep: keep));
        }
        var position = new int[order.Length];
        for (var k = 0; k < order.Length; k++)
        {
            position[order[k]] = k;
        }
        return Losses.L2Normalize(graph, IsIdentity(order) ? rows : graph.IndexSelect(rows, position));
    }

    /// <summary>The length each sequence is padded to when <see cref="Encode"/> embeds them together.</summary>
    public static int[] PaddedLengths(IReadOnlyList<int[]> sequences)
    {
        var order = LengthOrder(sequences);
        var padded = new int[sequences.Count];
        foreach (var group in Groups(order))
        {
            var length = Math.Max(1, group.Max(i => sequences[i].Length));
            foreach (var i in group)
            {
                padded[i] = length;
            }
        }
        return padded;
    }

    // Shortest first, equal lengths in the given order, so the grouping is the same on every run; one group keeps the given order.
    private static int[] LengthOrder(IReadOnlyList<int[]> sequences) => sequences.Count <= GroupSize
        ? [.. Enumerable.Range(0, sequences.Count)]
        : [.. Enumerable.Range(0, sequences.Count).OrderBy(i => sequences[i].Length).ThenBy(i => i)];

    // The groups Encode pads together: consecutive runs of GroupSize indices of the length order.
    private static IEnumerable<int[]> Groups(int[] order)
    {
        for (var start = 0; start < order.Length; start += GroupSize)
        {
            yield return order[start..Math.Min(order.Length, start + GroupSize)];
        }
    }

    private static bool IsIdentity(int[] order)
    {
        for (var i = 0; i < order.Length; i++)
        {
            if (order[i] != i)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Embeddings of every sequence (N·C, row i for sequence i), in evaluation mode, no gradients recorded.</summary>
    public float[] Embed(IReadOnlyList<int[]> sequences)
    {
        var result = new float[sequences.Count * Dimension];
        Embed(sequences, result);
        return result;
    }

    /// <summary>Writes the embeddings of every sequence into <paramref name="destination"/> (N·C).</summary>
    public void Embed(IReadOnlyList<int[]> sequences, Span<float> destination)
    {
        var width = Dimension;
        if (destination.Length < sequences.Count * width)
        {
            throw new ArgumentException($"{sequences.Count} embeddings of width {width} need {sequences.Count * width} floats; the destination holds {destination.Length}", nameof(destination));
        }
        _model.Eval();
        // Passes of similar lengths pad least: every sequence in order of length, each row written back to its place.
        var order = LengthOrder(sequences);
        var chunk = new List<int[]>(_batchSize);
        for (var start = 0; start < order.Length; start += _batchSize)
        {
            chunk.Clear();
            for (var k = start; k < Math.Min(order.Length, start + _batchSize); k++)
            {
                chunk.Add(sequences[order[k]]);
            }
            _graph.Reset();
            var rows = Encode(_model, _graph, chunk).Data;
            for (var k = 0; k < chunk.Count; k++)
            {
                rows.Slice(k * width, width).CopyTo(destination.Slice(order[start + k] * width, width));
            }
        }
    }
}
