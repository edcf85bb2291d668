// The BERT-family encoder: Hugging Face's parameter names and MiniLM's parameter count, every parameter
// gradient against central finite differences (padding, mean and CLS pooling, exact GELU, post-norm),
// padding that changes no real token's state, and a checkpoint that loads into the same encoder.
using Lodestar.Core;
using Lodestar.Models.Bert;
using Lodestar.Tensors;
using Lodestar.TestSupport;

namespace Lodestar.Models.Tests;

public sealed class BertModelTests
{
    private static readonly BertConfig Tiny = new()
    {
        VocabSize = 13, Channels = 8, Heads = 2, FeedForward = 12, Layers = 2, MaxPositions = 6, TokenTypes = 2, Dropout = 0f, Seed = 3,
    };

    [Fact]
    public void NamesAndSizeAreThoseOfAllMiniLmL6()
    {
        var model = new BertModel(BertConfig.MiniLmL6);
        var names = model.NamedParameters().Select(p => p.Name).ToHashSet();
        foreach (var name in new[]
        {
            "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight",
            "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
            "encoder.layer.0.attention.self.query.weight", "encoder.layer.0.attention.self.key.bias", "encoder.layer.0.attention.self.value.weight",
            "encoder.layer.0.attention.output.dense.weight", "encoder.layer.0.attention.output.LayerNorm.bias",
            "encoder.layer.5.intermediate.dense.weight", "encoder.layer.5.output.dense.bias", "encoder.layer.5.output.LayerNorm.weight",
        })
        {
            Assert.Contains(name, names);
        }
        // 22,713,216 in the published model, less the 147,840 of its pooler (a dense + tanh sentence-transformers never uses).
        Assert.Equal(22_565_376, model.ParameterCount);
        Assert.Equal([384, 1536], model.Encoder.Layers[0].Intermediate.Dense.Weight.Shape.Reverse().ToArray());
    }

    [Theory]
    [InlineData(BertPooling.Mean)]
    [InlineData(BertPooling.Cls)]
    public void EveryParameterGradientMatchesFiniteDifferences(BertPooling pooling)
    {
        var model = new BertModel(Tiny with { Pooling = pooling });
        ParameterGradients.Spread(model, 7);
        const int batch = 2, length = 5;
        int[] tokens = [1, 4, 7, 12, 2, 3, 3, 9, 0, 0];
        int[] types = [0, 0, 1, 1, 1, 0, 0, 1, 0, 0];
        byte[] keep = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0];
        var projection = Enumerable.Range(0, batch * Tiny.Channels).Select(i => (float)Math.Sin(i + 1)).ToArray();
        var graph = new Graph();
        graph.Backward(model.Embed(graph, tokens, batch, length, types, keep), projection);
        var evaluation = new Graph(recordGradients: false);
        double Evaluate()
        {
            evaluation.Reset();
            var output = model.Embed(evaluation, tokens, batch, length, types, keep).Data;
            double sum = 0;
            for (var i = 0; i < output.Length; i++)
            {
                sum += (double)projection[i] * output[i];
            }
            return sum;
        }
        ParameterGradients.AssertMatchFiniteDifferences(model, Evaluate, eps: 3e-3, absolute: 2e-3, relative: 2e-2);
    }

    [Fact]
    public void PaddingChangesNoRealTokensState()
    {
        var model = new BertModel(Tiny);
        model.Eval();
        var graph = new Graph(recordGradients: false);
        var alone = model.Forward(graph, [5, 6, 7], 1, 3).Data.ToArray();
        var padded = model.Forward(graph, [5, 6, 7, 0, 0, 1, 2, 3, 4, 5], 2, 5, keep: [1, 1, 1, 0, 0, 1, 1, 1, 1, 1]).Data.ToArray();
        for (var i = 0; i < alone.Length; i++)
        {
            Assert.Equal(alone[i], padded[i], 5);
        }
        Assert.Throws<ArgumentException>(() => model.Forward(graph, new int[7], 1, 7));
    }

    [Fact]
    public void ACheckpointLoadsIntoTheSameEncoder()
    {
        var model = new BertModel(Tiny with { Pooling = BertPooling.Cls });
        model.Eval();
        var path = Path.Combine(Path.GetTempPath(), $"lodestar-bert-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            var loaded = BertModel.Load(path);
            Assert.Equal(model.Config, loaded.Config);
            var graph = new Graph(recordGradients: false);
            int[] tokens = [1, 2, 3, 4];
            Assert.Equal(model.Embed(graph, tokens, 2, 2).Data.ToArray(), loaded.Embed(graph, tokens, 2, 2).Data.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
