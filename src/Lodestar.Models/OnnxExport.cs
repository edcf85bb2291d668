// Any Lodestar model checkpoint as an ONNX graph: the checkpoint's kind picks the exporter, so
// `lodestar export onnx` needs only the file. Each exporter mirrors its model's forward pass in standard operators.
using Lodestar.Models.Bert;
using Lodestar.Models.JobMatching;
using Lodestar.Models.SasRec;
using Lodestar.Nn;
using Lodestar.Tensors.Serialization.Onnx;

namespace Lodestar.Models;

public static class OnnxExport
{
    /// <summary>Checkpoint kinds that can be exported.</summary>
    public static IReadOnlyList<string> Kinds { get; } = [BertModel.Kind, MatchModel.KindPrefix + "*", SasRecModel.Kind];

    /// <summary>
    /// The model in the checkpoint at <paramref name="path"/>, as an ONNX graph ready to save; with
    /// <paramref name="ortFused"/>, in ONNX Runtime's fused operators (BERT-family encoders only).
    /// </summary>
    public static OnnxGraphBuilder FromCheckpoint(string path, bool ortFused = false)
    {
        var header = ModelCheckpoint.ReadHeader(path);
        if (ortFused && header.Kind != BertModel.Kind)
        {
            throw new ArgumentException($"{path}: a '{header.Kind}' checkpoint; ONNX Runtime's fused operators are written for {BertModel.Kind} only");
        }
        return header.Kind switch
        {
            BertModel.Kind => BertOnnx.Export(BertModel.Load(path), ortFused),
            SasRecModel.Kind => SasRecOnnx.Export(SasRecModel.Load(path)),
            _ when header.Kind.StartsWith(MatchModel.KindPrefix, StringComparison.Ordinal) => MatchOnnx.Export(MatchModel.Load(path)),
            _ => throw new InvalidDataException($"{path}: a '{header.Kind}' checkpoint; ONNX export knows {string.Join(", ", Kinds)}"),
        };
    }
}
