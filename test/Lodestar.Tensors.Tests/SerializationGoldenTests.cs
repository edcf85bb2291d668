// The PyTorch-written golden files under test/golden read through the C# reader: every reference
// parameter and gradient present with its shape, and values consistent with formulas recomputed here.
using System.Text.Json;
using Lodestar.TestSupport;
using Lodestar.Tensors.Serialization;

namespace Lodestar.Tensors.Tests;

public sealed class SerializationGoldenTests
{
    public static TheoryData<string> TransformerGoldens => new() { "transformer_causal.safetensors", "transformer_bidirectional.safetensors" };

    [Theory]
    [MemberData(nameof(TransformerGoldens))]
    public void TransformerGoldenHoldsEveryReferenceParameterAndGradient(string fileName)
    {
        using var file = SafeTensorsFile.Read(RepoPaths.Golden(fileName));
        using var config = JsonDocument.Parse(file.Metadata["config"]);
        long Get(string key) => config.RootElement.GetProperty(key).GetInt64();
        long v = Get("vocab_size"), c = Get("d_model"), f = Get("d_ff"), tmax = Get("max_len"), classes = Get("num_classes");
        Assert.Equal(fileName.Contains("causal", StringComparison.Ordinal), config.RootElement.GetProperty("causal").GetBoolean());

        var expected = new Dictionary<string, long[]>
        {
            ["tok_emb.weight"] = [v, c],
            ["pos_emb.weight"] = [tmax, c],
            ["ln_f.weight"] = [c],
            ["ln_f.bias"] = [c],
            ["head.weight"] = [classes, c],
            ["head.bias"] = [classes],
        };
        for (var i = 0; i < Get("n_layers"); i++)
        {
            expected[$"blocks.{i}.ln1.weight"] = [c];
            expected[$"blocks.{i}.ln1.bias"] = [c];
            expected[$"blocks.{i}.attn.qkv.weight"] = [3 * c, c];
            expected[$"blocks.{i}.attn.qkv.bias"] = [3 * c];
            expected[$"blocks.{i}.attn.proj.weight"] = [c, c];
            expected[$"blocks.{i}.attn.proj.bias"] = [c];
            expected[$"blocks.{i}.ln2.weight"] = [c];
            expected[$"blocks.{i}.ln2.bias"] = [c];
            expected[$"blocks.{i}.mlp.fc1.weight"] = [f, c];
            expected[$"blocks.{i}.mlp.fc1.bias"] = [f];
            expected[$"blocks.{i}.mlp.fc2.weight"] = [c, f];
            expected[$"blocks.{i}.mlp.fc2.bias"] = [c];
        }
        foreach (var (name, shape) in expected)
        {
            Assert.Equal(shape, file[name].Shape);
            Assert.Equal(shape, file["grad." + name].Shape);
            Assert.Contains(file.GetFloat32("grad." + name).ToArray(), g => g != 0);
        }

        var tokens = file.GetInt64("tokens");
        Assert.All(tokens.ToArray(), t => Assert.InRange(t, 0, v - 1));
        Assert.Equal(file["tokens"].Shape, file["key_padding_mask"].Shape);
        Assert.Contains(file.GetUInt8("key_padding_mask").ToArray(), m => m == 1);
        Assert.Equal(5, file.GetFloat32("adamw_losses").Length);
        Assert.Equal(file.GetFloat32("loss")[0], file.GetFloat32("adamw_losses")[0]);
    }

    [Theory]
    [MemberData(nameof(TransformerGoldens))]
    public void StoredLossIsTheCrossEntropyOfTheStoredLogits(string fileName)
    {
        using var file = SafeTensorsFile.Read(RepoPaths.Golden(fileName));
        var logits = file.GetFloat32("logits");
        var labels = file.GetInt64("labels");
        var classes = (int)file["logits"].Shape[1];
        double total = 0;
        for (var b = 0; b < labels.Length; b++)
        {
            var row = logits.Slice(b * classes, classes);
            var max = double.NegativeInfinity;
            foreach (var x in row)
            {
                max = Math.Max(max, x);
            }
            double sum = 0;
            foreach (var x in row)
            {
                sum += Math.Exp(x - max);
            }
            total += max + Math.Log(sum) - row[(int)labels[b]];
        }
        Assert.Equal(file.GetFloat32("loss")[0], total / labels.Length, 1e-5);
    }

    [Fact]
    public void OpGoldensAgreeWithFormulasRecomputedHere()
    {
        using var file = SafeTensorsFile.Read(RepoPaths.Golden("ops.safetensors"));
        Assert.Contains("gelu_tanh", file.Metadata["formulas"], StringComparison.Ordinal);

        var x = file.GetFloat32("gelu_tanh.x");
        var gelu = file.GetFloat32("gelu_tanh.out");
        for (var i = 0; i < x.Length; i++)
        {
            var u = Math.Sqrt(2 / Math.PI) * (x[i] + 0.044715 * Math.Pow(x[i], 3));
            Assert.Equal(0.5 * x[i] * (1 + Math.Tanh(u)), gelu[i], 1e-5);
        }

        var softmax = file.GetFloat32("softmax.out");
        var width = (int)file["softmax.out"].Shape[1];
        for (var row = 0; row < softmax.Length / width; row++)
        {
            double sum = 0;
            foreach (var p in softmax.Slice(row * width, width))
            {
                sum += p;
            }
            Assert.Equal(1.0, sum, 1e-5);
        }

        // The causal mask means query 0 attends only to key 0: its output is v[0] in every (batch, head).
        var v = file.GetFloat32("attention_causal.v");
        var attention = file.GetFloat32("attention_causal.out");
        var shape = file["attention_causal.out"].Shape;
        var (t, d) = ((int)shape[2], (int)shape[3]);
        for (var head = 0; head < shape[0] * shape[1]; head++)
        {
            for (var j = 0; j < d; j++)
            {
                Assert.Equal(v[head * t * d + j], attention[head * t * d + j], 1e-6);
            }
        }
    }
}
