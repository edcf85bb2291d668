// FreezeForInference: packed weights with the fused bias/GELU/residual epilogue give the same logits as the
// plain ops, LoadStateDict repacks, Train() drops the packs, and recording graphs never use them.
using Lodestar.Tensors;

namespace Lodestar.Nn.Tests;

public sealed class InferencePackingTests
{
    private static readonly TransformerConfig Config = new()
    {
        VocabSize = 50, Channels = 32, Heads = 2, FeedForward = 64, Layers = 2, MaxTokens = 16, NumClasses = 3, Dropout = 0.1f, Seed = 5,
    };

    private static readonly int[] Tokens = Enumerable.Range(0, 3 * 16).Select(i => (i * 17) % 50).ToArray();

    private static readonly byte[] Keep = [.. Enumerable.Repeat((byte)1, 40), .. Enumerable.Repeat((byte)0, 8)];

    private static float[] Logits(TransformerClassifier model) =>
        model.Forward(new Graph(recordGradients: false), Tokens, 3, 16, Keep).Data.ToArray();

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f + (1e-4f * Math.Abs(expected[i])), $"logit {i}: {expected[i]} vs {actual[i]}");
        }
    }

    [Fact]
    public void FrozenLogitsMatchThePlainOps()
    {
        var model = new TransformerClassifier(Config);
        model.Eval();
        var plain = Logits(model);
        model.FreezeForInference();
        Assert.All(model.NamedModules().Select(m => m.Module).OfType<Linear>(), linear => Assert.NotNull(linear.Packed));
        AssertClose(plain, Logits(model));
    }

    [Fact]
    public void LoadStateDictRepacksAndTrainDropsThePacks()
    {
        var model = new TransformerClassifier(Config);
        model.FreezeForInference();
        var other = new TransformerClassifier(Config with { Seed = 6 });
        other.Eval();
        model.LoadStateDict(other.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Data.ToArray()));
        Assert.True(model.Frozen);
        AssertClose(Logits(other), Logits(model));
        model.Train();
        Assert.False(model.Frozen);
        Assert.All(model.NamedModules().Select(m => m.Module).OfType<Linear>(), linear => Assert.Null(linear.Packed));
    }

    [Fact]
    public void RecordingGraphsUseTheUnpackedWeights()
    {
        var model = new TransformerClassifier(Config with { Dropout = 0f });
        model.FreezeForInference();
        var graph = new Graph();
        graph.Backward(model.Loss(graph, Tokens, [0, 1, 2], 3, 16, Keep));
        Assert.True(model.Head.Weight.HasGrad);
        Assert.Contains(model.Blocks.Blocks[0].Mlp.Fc2.Weight.Grad.ToArray(), g => g != 0f);
    }

    [Fact]
    public void PackedLinearRefusesARecordingGraph()
    {
        var packed = Kernels.Gemm.PackWeight(new float[6], 2, 3);
        var graph = new Graph();
        var error = Assert.Throws<ArgumentException>(() => graph.LinearPacked(graph.Zeros(1, 3), packed, null));
        Assert.Contains("inference", error.Message, StringComparison.Ordinal);
    }
}
