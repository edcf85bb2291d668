// ONNX Runtime 1.32 as the reference for exported graphs: the packaged encoders' files, and one run of a graph on
// int64 (B,T) inputs (a BERT's input_ids, attention_mask and token_type_ids), every output returned by name.
using System.Reflection;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Lodestar.Models.Tests;

internal static class OnnxRuntimeReference
{
    /// <summary>model.onnx out of a SentenceTransformers package's manifest resources.</summary>
    public static byte[] PackagedFile(string package)
    {
        using var stream = Assembly.Load(package).GetManifestResourceStream($"{package}.Resources.model.onnx")!;
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Runs a BERT graph on (B,T) ids, token types and keep flags; each output flattened, by name.</summary>
    public static Dictionary<string, float[]> Run(byte[] model, int[] tokens, int[] types, byte[] keep, int batch, int length) =>
        Run(model, batch, length, ("input_ids", tokens.Select(t => (long)t)), ("attention_mask", keep.Select(k => (long)k)), ("token_type_ids", types.Select(t => (long)t)));

    /// <summary>Runs a graph on named int64 (B,T) inputs; each float output flattened, by name.</summary>
    public static Dictionary<string, float[]> Run(byte[] model, int batch, int length, params (string Name, IEnumerable<long> Values)[] inputs)
    {
        using var session = new InferenceSession(model);
        var shape = new[] { batch, length };
        using var results = session.Run([.. inputs.Select(i => NamedOnnxValue.CreateFromTensor(i.Name, new DenseTensor<long>(i.Values.ToArray(), shape)))]);
        return results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
    }

    /// <summary>Equal to 1e-4 of the largest expected value, at real positions only when keep (B·T) is given for (B,T,C) values.</summary>
    public static void AssertClose(float[] expected, float[] actual, byte[]? keep = null, int channels = 1)
    {
        Assert.Equal(expected.Length, actual.Length);
        double largest = 0, worst = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            if (keep is not null && keep[i / channels] == 0)
            {
                continue;
            }
            largest = Math.Max(largest, Math.Abs(expected[i]));
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        }
        Assert.True(largest > 0.1, $"values up to {largest} only");
        Assert.True(worst <= 1e-4 * largest, $"largest difference {worst} against values up to {largest}");
    }
}
