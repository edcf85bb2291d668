// Op-level parity with PyTorch: test/golden/ops.safetensors holds inputs, outputs, an upstream gradient
// and input gradients (float64 PyTorch) for linear, layernorm, GELU, softmax, attention, mean pooling,
// cross-entropy and weighted BCE; the ops must match within 1e-5 relative (‖Δ‖∞/‖ref‖∞).
using Lodestar.Kernels;
using Lodestar.Tensors.Serialization;
using Lodestar.TestSupport;

namespace Lodestar.Tensors.Tests;

public sealed class OpGoldenTests : IDisposable
{
    // Each op is a handful of float32 roundings away from the float64 reference: 1e-5 relative leaves
    // ~100 ulps of room and still fails on any wrong term.
    private const double Tolerance = 1e-5;

    private readonly SafeTensorsFile _file = SafeTensorsFile.Read(RepoPaths.Golden("ops.safetensors"));

    public void Dispose() => _file.Dispose();

    [Fact]
    public void LinearLayerNormGeluSoftmaxMatchPyTorch()
    {
        Check("linear", ["x", "weight", "bias"], (g, t) => g.Linear(t[0], t[1], t[2]));
        Check("layernorm", ["x", "weight", "bias"], (g, t) => g.LayerNorm(t[0], t[1], t[2]));
        Check("gelu_tanh", ["x"], (g, t) => g.Gelu(t[0]));
        Check("softmax", ["x"], (g, t) => g.Softmax(t[0]));
    }

    [Fact]
    public void MeanPoolingWithPaddingMatchesPyTorch()
    {
        var keep = _file.GetUInt8("mean_pool.mask").ToArray().Select(p => (byte)(p == 0 ? 1 : 0)).ToArray();
        Check("mean_pool", ["x"], (g, t) => g.MaskedMeanPool(t[0], keep));
    }

    [Fact]
    public void LossesMatchPyTorch()
    {
        var labels = _file.GetInt64("cross_entropy.labels").ToArray().Select(l => (int)l).ToArray();
        Check("cross_entropy", ["logits"], (g, t) => g.CrossEntropy(t[0], labels));
        var targets = Tensor.FromValues(_file.GetFloat32("bce_weighted.targets"), [10]);
        var weights = Tensor.FromValues(_file.GetFloat32("bce_weighted.weight"), [10]);
        Check("bce_weighted", ["logits"], (g, t) => g.BceWithLogits(t[0], targets, weights));
    }

    [Theory]
    [InlineData("attention_causal")]
    [InlineData("attention_padded")]
    public void AttentionMatchesPyTorch(string op)
    {
        var shape = _file[$"{op}.q"].Shape.Select(d => (int)d).ToArray();
        int batch = shape[0], heads = shape[1], tokens = shape[2], headDim = shape[3], channels = heads * headDim;
        var keep = _file.Contains($"{op}.key_padding_mask")
            ? _file.GetUInt8($"{op}.key_padding_mask").ToArray().Select(p => (byte)(p == 0 ? 1 : 0)).ToArray()
            : null;
        var mask = new AttentionMask(op == "attention_causal", keep);
        // Pack (B,H,T,D) q, k, v into the (B,T,3C) layout the op reads, and unpack gradients and output back.
        int Packed(int part, int b, int h, int t, int d) => (((b * tokens) + t) * 3 * channels) + (part * channels) + (h * headDim) + d;
        int HeadMajor(int b, int h, int t, int d) => (((((b * heads) + h) * tokens) + t) * headDim) + d;
        var qkv = new float[batch * tokens * 3 * channels];
        string[] parts = ["q", "k", "v"];
        var sources = parts.Select(p => _file.GetFloat32($"{op}.{p}").ToArray()).ToArray();
        ForEach((b, h, t, d) =>
        {
            for (var p = 0; p < 3; p++)
            {
                qkv[Packed(p, b, h, t, d)] = sources[p][HeadMajor(b, h, t, d)];
            }
        });
        var graph = new Graph();
        var input = graph.Constant(qkv, [batch, tokens, 3 * channels], requiresGrad: true);
        var output = graph.Attention(input, heads, mask);
        var gradOut = _file.GetFloat32($"{op}.grad_out").ToArray();
        var seed = new float[output.Length];
        var outputHeadMajor = new float[output.Length];
        ForEach((b, h, t, d) =>
        {
            var packed = (((b * tokens) + t) * channels) + (h * headDim) + d;
            seed[packed] = gradOut[HeadMajor(b, h, t, d)];
            outputHeadMajor[HeadMajor(b, h, t, d)] = output.Data[packed];
        });
        AssertClose($"{op}.out", outputHeadMajor, _file.GetFloat32($"{op}.out"));
        graph.Backward(output, seed);
        for (var p = 0; p < 3; p++)
        {
            var grad = new float[batch * heads * tokens * headDim];
            var part = p;
            ForEach((b, h, t, d) => grad[HeadMajor(b, h, t, d)] = input.Grad[Packed(part, b, h, t, d)]);
            AssertClose($"{op}.grad.{parts[p]}", grad, _file.GetFloat32($"{op}.grad.{parts[p]}"));
        }

        void ForEach(Action<int, int, int, int> body)
        {
            for (var b = 0; b < batch; b++)
            {
                for (var h = 0; h < heads; h++)
                {
                    for (var t = 0; t < tokens; t++)
                    {
                        for (var d = 0; d < headDim; d++)
                        {
                            body(b, h, t, d);
                        }
                    }
                }
            }
        }
    }

    private void Check(string op, string[] inputs, Func<Graph, Tensor[], Tensor> build)
    {
        var graph = new Graph();
        var tensors = inputs.Select(name => graph.Constant(_file.GetFloat32($"{op}.{name}"),
            _file[$"{op}.{name}"].Shape.Select(d => (int)d).ToArray(), requiresGrad: true)).ToArray();
        var output = build(graph, tensors);
        AssertClose($"{op}.out", output.Data, _file.GetFloat32($"{op}.out"));
        if (_file.Contains($"{op}.grad_out"))
        {
            graph.Backward(output, _file.GetFloat32($"{op}.grad_out"));
        }
        else
        {
            graph.Backward(output);
        }
        for (var i = 0; i < inputs.Length; i++)
        {
            AssertClose($"{op}.grad.{inputs[i]}", tensors[i].Grad, _file.GetFloat32($"{op}.grad.{inputs[i]}"));
        }
    }

    private static void AssertClose(string name, ReadOnlySpan<float> actual, ReadOnlySpan<float> expected) =>
        GoldenAssert.Close(name, actual, expected, Tolerance);
}
