// A job-matching checkpoint exported to ONNX (through the kind dispatch `lodestar export onnx` uses) runs in ONNX
// Runtime 1.32 to the model's own logits, with and without the student's factorized embedding, and with blocks that
// structured pruning left with fewer heads and narrower MLPs, on pairs of different lengths padded to the batch's longest.
using Lodestar.Core;
using Lodestar.Models.JobMatching;
using Lodestar.Tensors;

namespace Lodestar.Models.Tests;

public sealed class MatchOnnxTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-match-onnx-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(MatchRole.Student, 8, false)]
    [InlineData(MatchRole.PolicyTeacher, 0, false)]
    [InlineData(MatchRole.Student, 8, true)]
    public void OnnxRuntimeRunsTheExportToTheModelsLogits(MatchRole role, int embeddingChannels, bool pruned)
    {
        var config = new MatchModelConfig { Channels = 16, Heads = 4, FeedForward = 32, Layers = 2, MaxTokens = 12, EmbeddingChannels = embeddingChannels, Seed = 5 };
        if (pruned)
        {
            // Blocks that kept 3 and 1 of 4 heads (of width 4) and 20 and 9 of 32 MLP channels.
            config = config with { LayerHeads = new Lodestar.Nn.LayerWidths([3, 1]), LayerFeedForward = new Lodestar.Nn.LayerWidths([20, 9]) };
        }
        var model = new MatchModel(role, config, 40, new MatchOutputLayout([3, 4, 2]));
        var random = new SeededRandom(6);
        foreach (var (_, parameter) in model.NamedParameters())
        {
            random.FillNormal(parameter.Data, 0.3f);
        }
        var path = Path.Combine(_directory, "model.safetensors");
        model.Save(path);
        model.Eval();

        const int batch = 3, length = 10;
        var tokens = new int[batch * length];
        var keep = new byte[batch * length];
        int[] lengths = [10, 4, 7];
        for (var b = 0; b < batch; b++)
        {
            for (var t = 0; t < lengths[b]; t++)
            {
                tokens[(b * length) + t] = 1 + random.NextInt(39);
                keep[(b * length) + t] = 1;
            }
        }
        var ours = model.Forward(new Graph(recordGradients: false), tokens, batch, length, keep).Data.ToArray();
        var theirs = OnnxRuntimeReference.Run(OnnxExport.FromCheckpoint(path).ToBytes(), batch, length,
            ("input_ids", tokens.Select(t => (long)t)), ("attention_mask", keep.Select(k => (long)k)))["logits"];

        Assert.Equal(model.Layout.Width * batch, theirs.Length);
        OnnxRuntimeReference.AssertClose(ours, theirs);
    }
}
