// ONNX Runtime 1.32 as the reference for BERT-family graphs: the packaged encoders' files and one run of a graph on
// int64 input_ids, attention_mask and token_type_ids, every output returned by name.
using System.Reflection;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Lodestar.Models.Tests;

internal static class BertOnnxRuntime
{
    /// <summary>model.onnx out of a SentenceTransformers package's manifest resources.</summary>
    public static byte[] PackagedFile(string package)
    {
        using var stream = Assembly.Load(package).GetManifestResourceStream($"{package}.Resources.model.onnx")!;
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Runs the graph on (B,T) ids, token types and keep flags; each output flattened, by name.</summary>
    public static Dictionary<string, float[]> Run(byte[] model, int[] tokens, int[] types, byte[] keep, int batch, int length)
    {
        using var session = new InferenceSession(model);
        var shape = new[] { batch, length };
        using var results = session.Run(
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(tokens.Select(t => (long)t).ToArray(), shape)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(keep.Select(k => (long)k).ToArray(), shape)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(types.Select(t => (long)t).ToArray(), shape)),
        ]);
        return results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
    }
}
