// Scores member–job examples with a match model, without the trainer: batches formed over the examples
// sorted by real length and cut to their longest pair, so little padding is computed. Training packs its
// batches with the same Pack, so a pair reaches the model in the same form at training and at scoring time.
using Lodestar.Models.JobMatching;
using Lodestar.Tensors;

namespace Lodestar.Features.JobMatching;

public static class MatchScorer
{
    /// <summary>
    /// Logits (N, Layout.Width) row-major for the examples, in the given order. Batches are formed over the
    /// examples sorted by real length and each is cut to its longest pair, so little padding is computed.
    /// </summary>
    public static float[] Predict(MatchModel model, IReadOnlyList<MatchExample> examples, int batchSize = 64)
    {
        model.Eval();
        var width = model.Layout.Width;
        var output = new float[examples.Count * width];
        var graph = new Graph(recordGradients: false);
        var order = ByLength(examples);
        var rows = new MatchExample[Math.Min(batchSize, examples.Count)];
        for (var start = 0; start < examples.Count; start += batchSize)
        {
            var count = Math.Min(batchSize, examples.Count - start);
            for (var i = 0; i < count; i++)
            {
                rows[i] = examples[order[start + i]];
            }
            var (tokens, keep, length) = Pack(rows, 0, count, model.Config.MaxTokens);
            graph.Reset();
            var logits = model.Forward(graph, tokens, count, length, keep).Data;
            for (var i = 0; i < count; i++)
            {
                logits.Slice(i * width, width).CopyTo(output.AsSpan(order[start + i] * width, width));
            }
        }
        return output;
    }

    /// <summary>Indices of the examples ordered by real token count (stable, so ties keep their order).</summary>
    public static int[] ByLength(IReadOnlyList<MatchExample> examples) =>
        Enumerable.Range(0, examples.Count).OrderBy(i => RealTokens(examples[i])).ToArray();

    /// <summary>Real tokens of a pair: its keep flags are a prefix of ones.</summary>
    public static int RealTokens(MatchExample example) => example.Keep.Length - example.Keep.AsSpan().Count((byte)0);

    /// <summary>
    /// Tokens and keep flags (B·L) of examples [start, start+count), cut to L, the longest real length among them
    /// (the rest of each pair's MaxTokens slots is padding no real token attends to).
    /// </summary>
    public static (int[] Tokens, byte[] Keep, int Length) Pack(IReadOnlyList<MatchExample> examples, int start, int count, int maxTokens)
    {
        var length = 1;
        for (var i = 0; i < count; i++)
        {
            var example = examples[start + i];
            if (example.Tokens.Length != maxTokens || example.Keep.Length != maxTokens)
            {
                throw new ArgumentException($"example ({example.MemberId},{example.JobId}) has {example.Tokens.Length} tokens, the model takes {maxTokens}");
            }
            length = Math.Max(length, RealTokens(example));
        }
        var tokens = new int[count * length];
        var keep = new byte[count * length];
        for (var i = 0; i < count; i++)
        {
            var example = examples[start + i];
            example.Tokens.AsSpan(0, length).CopyTo(tokens.AsSpan(i * length));
            example.Keep.AsSpan(0, length).CopyTo(keep.AsSpan(i * length));
        }
        return (tokens, keep, length);
    }
}
