// A SASRec checkpoint exported to ONNX runs in ONNX Runtime 1.32 to ScoreBatch's scores of every item, for the
// fused-kernel blocks and for relative-bias attention, with learned or rotary positions, on right-padded histories.
using Lodestar.Core;
using Lodestar.Models.SasRec;
using Lodestar.Nn;

namespace Lodestar.Models.Tests;

public sealed class SasRecOnnxTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-sasrec-onnx-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(false, PositionEncoding.Learned)]
    [InlineData(true, PositionEncoding.Learned)]
    [InlineData(true, PositionEncoding.Rotary)]
    [InlineData(false, PositionEncoding.Rotary)]
    public void OnnxRuntimeRunsTheExportToScoreBatchsScores(bool relativeBias, PositionEncoding positions)
    {
        // MaxLength 24 so relative-bias distances reach the geometric buckets (16 and beyond).
        var config = new SasRecConfig { MaxLength = 24, Channels = 16, Heads = 2, FeedForward = 32, Layers = 2, Dropout = 0f, RelativeBias = relativeBias, Positions = positions };
        const int itemCount = 30;
        var model = new SasRecModel(config, itemCount, seed: 4);
        var random = new SeededRandom(12);
        foreach (var (_, parameter) in model.NamedParameters())
        {
            random.FillNormal(parameter.Data, 0.3f);
        }
        var path = Path.Combine(_directory, "sasrec.safetensors");
        model.Save(path);
        model.Eval();

        int[] lengths = [24, 5, 17];
        var histories = lengths.Select(n => new ReadOnlyMemory<int>([.. Enumerable.Range(0, n).Select(_ => 1 + random.NextInt(itemCount))])).ToArray();
        var ours = new float[histories.Length * (itemCount + 1)];
        model.ScoreBatch(histories, ours);

        var length = lengths.Max();
        var items = new long[histories.Length * length];
        for (var b = 0; b < histories.Length; b++)
        {
            for (var t = 0; t < lengths[b]; t++)
            {
                items[(b * length) + t] = histories[b].Span[t];
            }
        }
        var theirs = OnnxRuntimeReference.Run(OnnxExport.FromCheckpoint(path).ToBytes(), histories.Length, length, (SasRecOnnx.Items, items))[SasRecOnnx.Scores];

        Assert.Equal(ours.Length, theirs.Length);
        OnnxRuntimeReference.AssertClose(ours, theirs);
    }
}
