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

    /// <summary>L2-normalised embeddings (B,C) of token sequences by <paramref name="model"/>, recorded on the graph.</summary>
    public static Tensor Encode(BertModel model, Graph graph, IReadOnlyList<int[]> sequences)
    {
        var (tokens, keep, length) = RetrievalPrompts.Pack(sequences);
        return Losses.L2Normalize(graph, model.Embed(graph, tokens, sequences.Count, length, keep: keep));
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
        var chunk = new List<int[]>(_batchSize);
        for (var start = 0; start < sequences.Count; start += _batchSize)
        {
            chunk.Clear();
            for (var i = start; i < Math.Min(sequences.Count, start + _batchSize); i++)
            {
                chunk.Add(sequences[i]);
            }
            _graph.Reset();
            Encode(_model, _graph, chunk).Data.CopyTo(destination.Slice(start * width, chunk.Count * width));
        }
    }
}
