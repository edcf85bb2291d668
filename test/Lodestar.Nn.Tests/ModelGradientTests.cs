// The transformer classifier's parameter gradients against central finite differences, for the reference
// variant and the others (causal, padding, RoPE, RMSNorm, SwiGLU/SiLU, CLS and last-token pooling, blocks that
// structured pruning left with fewer heads and a narrower MLP).
using Lodestar.Core;
using Lodestar.Tensors;
using Lodestar.TestSupport;

namespace Lodestar.Nn.Tests;

public sealed class ModelGradientTests
{
    // Central differences in float with the output projected in double. The perturbed weights (std 0.3)
    // make the two-block network curved enough that eps = 1e-2 leaves a truncation error of ~6% on a few
    // entries, so eps = 3e-3 (truncation ~0.5%); float rounding of the six logits adds ~6·1e-7/eps ≈ 2e-4.
    // 2e-3 + 2e-2·|g| covers both while any wrong local derivative shifts some gradient by far more.
    private const double Eps = 3e-3;
    private const double AbsoluteTolerance = 2e-3;
    private const double RelativeTolerance = 2e-2;

    private static readonly TransformerConfig Tiny = new()
    {
        VocabSize = 11, Channels = 8, Heads = 2, FeedForward = 12, Layers = 2, MaxTokens = 6, NumClasses = 3, Seed = 5,
    };

    public static TheoryData<string> Variants => ["reference", "causal-padded", "rope-rms-swiglu-last", "silu-cls", "pruned-rope"];

    internal static TransformerConfig VariantConfig(string variant) => variant switch
    {
        "reference" => Tiny,
        "causal-padded" => Tiny with { Causal = true },
        "rope-rms-swiglu-last" => Tiny with { Positions = PositionEncoding.Rotary, Norm = NormKind.RmsNorm, Mlp = MlpKind.SwiGlu, Pooling = PoolingKind.LastToken, Causal = true },
        "pruned-rope" => Tiny with { Positions = PositionEncoding.Rotary, LayerHeads = new LayerWidths([1, 2]), LayerFeedForward = new LayerWidths([5, 12]) },
        _ => Tiny with { Mlp = MlpKind.Silu, Pooling = PoolingKind.Cls },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryParameterGradientMatchesFiniteDifferences(string variant)
    {
        var config = VariantConfig(variant);
        var model = new TransformerClassifier(config);
        ParameterGradients.Spread(model, 9);
        const int batch = 2, length = 5;
        int[] tokens = [1, 4, 7, 10, 2, 3, 3, 9, 0, 5];
        byte[]? keep = variant == "reference" ? null : [1, 1, 1, 1, 1, 1, 1, 1, 0, 0];
        var projection = Enumerable.Range(0, batch * config.NumClasses).Select(i => (float)Math.Sin(i + 1)).ToArray();

        var graph = new Graph();
        var logits = model.Forward(graph, tokens, batch, length, keep);
        graph.Backward(logits, projection);

        var evaluation = new Graph(recordGradients: false);
        double Evaluate()
        {
            evaluation.Reset();
            var output = model.Forward(evaluation, tokens, batch, length, keep).Data;
            double sum = 0;
            for (var i = 0; i < output.Length; i++)
            {
                sum += (double)projection[i] * output[i];
            }
            return sum;
        }

        ParameterGradients.AssertMatchFiniteDifferences(model, Evaluate, Eps, AbsoluteTolerance, RelativeTolerance, $"{variant}: ");
    }

    [Fact]
    public void ASecondBackwardDoublesEveryParameterGradient()
    {
        var model = new TransformerClassifier(Tiny);
        var graph = new Graph();
        int[] tokens = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        var loss = model.Loss(graph, tokens, [0, 2], 2, 5);
        graph.Backward(loss);
        var once = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Grad.ToArray());
        graph.Backward(loss);
        foreach (var (name, parameter) in model.NamedParameters())
        {
            var twice = parameter.Grad.ToArray();
            for (var i = 0; i < twice.Length; i++)
            {
                Assert.True(Math.Abs(twice[i] - (2 * once[name][i])) <= 1e-6 * (1 + Math.Abs(twice[i])), $"{name}[{i}]");
            }
        }
    }

    [Fact]
    public void ParameterNamesMatchTheReferenceModel()
    {
        var model = new TransformerClassifier(TransformerConfig.Golden);
        var names = model.NamedParameters().Select(p => (p.Name, Shape: string.Join(",", p.Parameter.Shape))).ToArray();
        var expected = new List<(string, string)> { ("tok_emb.weight", "64,32"), ("pos_emb.weight", "16,32") };
        for (var i = 0; i < 2; i++)
        {
            expected.AddRange([
                ($"blocks.{i}.ln1.weight", "32"), ($"blocks.{i}.ln1.bias", "32"),
                ($"blocks.{i}.attn.qkv.weight", "96,32"), ($"blocks.{i}.attn.qkv.bias", "96"),
                ($"blocks.{i}.attn.proj.weight", "32,32"), ($"blocks.{i}.attn.proj.bias", "32"),
                ($"blocks.{i}.ln2.weight", "32"), ($"blocks.{i}.ln2.bias", "32"),
                ($"blocks.{i}.mlp.fc1.weight", "64,32"), ($"blocks.{i}.mlp.fc1.bias", "64"),
                ($"blocks.{i}.mlp.fc2.weight", "32,64"), ($"blocks.{i}.mlp.fc2.bias", "32"),
            ]);
        }
        expected.AddRange([("ln_f.weight", "32"), ("ln_f.bias", "32"), ("head.weight", "5,32"), ("head.bias", "5")]);
        Assert.Equal(expected, names);
    }

    [Fact]
    public void ConfigValidationNamesTheBadField()
    {
        var error = Assert.Throws<InvalidConfigException>(() => new TransformerClassifier(TransformerConfig.Small with { Heads = 3 }));
        Assert.Contains("Heads", error.Message, StringComparison.Ordinal);
        var tooLong = new TransformerClassifier(Tiny);
        Assert.Throws<ArgumentException>(() => tooLong.Forward(new Graph(), new int[14], 2, 7));
    }
}
