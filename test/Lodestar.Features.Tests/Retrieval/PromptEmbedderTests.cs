// Encoding a batch in groups of similar length (each padded to its own longest) gives every sequence the embedding and
// the gradients it has when encoded alone, puts the rows back in the given order, and pads no sequence more than its group needs.
using Lodestar.Core;
using Lodestar.Features.Retrieval;
using Lodestar.Models.Bert;
using Lodestar.Tensors;

namespace Lodestar.Features.Tests.Retrieval;

public sealed class PromptEmbedderTests
{
    private static readonly BertConfig Config = new() { VocabSize = 50, Channels = 16, Heads = 2, FeedForward = 32, Layers = 2, MaxPositions = 40, Dropout = 0f, Seed = 3 };

    private static List<int[]> Sequences(int count)
    {
        var random = new SeededRandom(11);
        return [.. Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, 1 + random.NextInt(40)).Select(_ => random.NextInt(50)).ToArray())];
    }

    [Fact]
    public void EachSequenceGetsTheEmbeddingAndGradientsItHasAlone()
    {
        var model = new BertModel(Config);
        var sequences = Sequences(21);
        var width = Config.Channels;
        var weights = Enumerable.Range(0, sequences.Count * width).Select(i => (float)Math.Sin(0.7 * i)).ToArray();

        var graph = new Graph();
        var together = PromptEmbedder.Encode(model, graph, sequences);
        Assert.Equal([sequences.Count, width], together.Shape.ToArray());
        var rows = together.Data.ToArray();
        graph.Backward(together, weights);
        var batched = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Grad.ToArray());

        model.ZeroGrad();
        for (var i = 0; i < sequences.Count; i++)
        {
            var alone = new Graph();
            var row = PromptEmbedder.Encode(model, alone, [sequences[i]]);
            for (var c = 0; c < width; c++)
            {
                Assert.True(Math.Abs(row.Data[c] - rows[(i * width) + c]) <= 1e-5, $"sequence {i} (length {sequences[i].Length}), channel {c}: {row.Data[c]} alone, {rows[(i * width) + c]} together");
            }
            alone.Backward(row, weights.AsSpan(i * width, width).ToArray());
        }
        foreach (var (name, parameter) in model.NamedParameters())
        {
            var summed = parameter.Grad.ToArray();
            var scale = summed.Max(Math.Abs) + 1e-6f;
            for (var j = 0; j < summed.Length; j++)
            {
                Assert.True(Math.Abs(summed[j] - batched[name][j]) <= 1e-4 * scale, $"{name}[{j}]: {batched[name][j]} together, {summed[j]} summed alone");
            }
        }
    }

    [Fact]
    public void GroupsOfSimilarLengthArePaddedToTheirOwnLongest()
    {
        var sequences = Sequences(21);
        var padded = PromptEmbedder.PaddedLengths(sequences);
        Assert.All(sequences.Select((s, i) => (s.Length, padded[i])), p => Assert.True(p.Item2 >= p.Length));
        // Three groups (8, 8, 5) by length: three distinct widths, the last the longest of all.
        Assert.Equal(3, padded.Distinct().Count());
        Assert.Equal(sequences.Max(s => s.Length), padded.Max());
        Assert.True(padded.Sum() < sequences.Count * sequences.Max(s => s.Length));
        // Up to a group's size, the sequences are one group padded to their longest, in the given order.
        Assert.All(PromptEmbedder.PaddedLengths(sequences.Take(PromptEmbedder.GroupSize).ToList()), p => Assert.Equal(sequences.Take(PromptEmbedder.GroupSize).Max(s => s.Length), p));
    }
}
