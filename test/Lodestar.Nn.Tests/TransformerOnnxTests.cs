// The reference transformer exported to ONNX runs in ONNX Runtime 1.32 to Lodestar's logits, in every variant the
// config offers: learned or rotary positions, LayerNorm or RMSNorm, GELU, SiLU or SwiGLU, mean, first or last-token
// pooling, causal or not, on a batch with padded rows.
using Lodestar.Core;
using Lodestar.Nn.Onnx;
using Lodestar.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Lodestar.Nn.Tests;

public sealed class TransformerOnnxTests
{
    public static TheoryData<PositionEncoding, NormKind, MlpKind, PoolingKind, bool> Variants => new()
    {
        { PositionEncoding.Learned, NormKind.LayerNorm, MlpKind.Gelu, PoolingKind.Mean, false },
        { PositionEncoding.Rotary, NormKind.RmsNorm, MlpKind.SwiGlu, PoolingKind.LastToken, true },
        { PositionEncoding.Rotary, NormKind.LayerNorm, MlpKind.Silu, PoolingKind.Cls, false },
        { PositionEncoding.Learned, NormKind.RmsNorm, MlpKind.Gelu, PoolingKind.LastToken, true },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void OnnxRuntimeRunsTheExportToLodestarsLogits(PositionEncoding positions, NormKind norm, MlpKind mlp, PoolingKind pooling, bool causal)
    {
        var config = TransformerConfig.Golden with { Positions = positions, Norm = norm, Mlp = mlp, Pooling = pooling, Causal = causal, Seed = 3 };
        var model = new TransformerClassifier(config);
        var random = new SeededRandom(8);
        foreach (var (_, parameter) in model.NamedParameters())
        {
            random.FillNormal(parameter.Data, 0.3f);
        }
        model.Eval();
        const int batch = 3, length = 9;
        var tokens = new int[batch * length];
        var keep = new byte[batch * length];
        for (var b = 0; b < batch; b++)
        {
            for (var t = 0; t < length - (3 * b); t++)
            {
                tokens[(b * length) + t] = 1 + random.NextInt(config.VocabSize - 1);
                keep[(b * length) + t] = 1;
            }
        }
        var ours = model.Forward(new Graph(recordGradients: false), tokens, batch, length, keep).Data.ToArray();

        using var session = new InferenceSession(TransformerOnnx.Export(model).ToBytes());
        var shape = new[] { batch, length };
        using var results = session.Run(
        [
            NamedOnnxValue.CreateFromTensor(TransformerOnnx.Tokens, new DenseTensor<long>(tokens.Select(t => (long)t).ToArray(), shape)),
            NamedOnnxValue.CreateFromTensor(TransformerOnnx.Keep, new DenseTensor<long>(keep.Select(k => (long)k).ToArray(), shape)),
        ]);
        var theirs = results.Single(r => r.Name == TransformerOnnx.Logits).AsTensor<float>().ToArray();
        Assert.Equal(ours.Length, theirs.Length);
        var largest = theirs.Max(MathF.Abs);
        Assert.True(largest > 0.1f, $"logits up to {largest} only");
        for (var i = 0; i < ours.Length; i++)
        {
            Assert.True(MathF.Abs(ours[i] - theirs[i]) <= 1e-4f * largest, $"logit {i}: {ours[i]} vs ONNX Runtime {theirs[i]} (largest {largest})");
        }
    }
}
