// Imports a BERT-family encoder exported to ONNX (torch.onnx, as sentence-transformers ships all-MiniLM-L6-v2)
// into a BertModel. Named initializers (embeddings, biases, LayerNorms) map by name; the exporter leaves the
// weights of every linear layer anonymous ("927"), stored transposed (in, out) as MatMul's right operand, so each
// is found by structure: the MatMul whose output the Add of a named "*.bias" consumes is that layer's weight.
using Lodestar.Tensors.Serialization.Onnx;

namespace Lodestar.Models.Bert;

public static partial class BertOnnx
{
    /// <summary>
    /// The encoder in an ONNX file. The config comes from the weights' shapes, except what weights do not show:
    /// <paramref name="heads"/> and the LayerNorm ε (1e-12, BERT's). Initializers the encoder has no use for
    /// (a pooler, position ids) are listed in <paramref name="unused"/>.
    /// </summary>
    public static BertModel Import(OnnxModel onnx, string source, out IReadOnlyList<string> unused, int heads = 12, BertPooling pooling = BertPooling.Mean)
    {
        var byName = onnx.Initializers.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var weights = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in onnx.Initializers.Where(t => t.Name.StartsWith("embeddings.", StringComparison.Ordinal) || t.Name.StartsWith("encoder.", StringComparison.Ordinal)))
        {
            if (tensor.DataType == OnnxDataType.Float)
            {
                weights[tensor.Name] = tensor.ToFloat32();
                used.Add(tensor.Name);
            }
        }
        var consumers = onnx.Nodes.SelectMany(n => n.Inputs.Select(i => (Input: i, Node: n))).ToLookup(p => p.Input, p => p.Node, StringComparer.Ordinal);
        foreach (var matMul in onnx.Nodes.Where(n => n.OpType == "MatMul" && n.Inputs.Count == 2 && byName.ContainsKey(n.Inputs[1])))
        {
            var bias = consumers[matMul.Outputs[0]].Where(n => n.OpType == "Add")
                .SelectMany(n => n.Inputs).FirstOrDefault(i => i.EndsWith(".bias", StringComparison.Ordinal) && byName.ContainsKey(i));
            if (bias is null)
            {
                continue;
            }
            var weight = byName[matMul.Inputs[1]];
            if (weight.Dims.Length != 2)
            {
                throw new InvalidDataException($"{source}: the weight '{weight.Name}' multiplied before '{bias}' has dims [{string.Join(", ", weight.Dims)}], not (in, out)");
            }
            weights[bias[..^".bias".Length] + ".weight"] = Transpose(weight.ToFloat32(), (int)weight.Dims[0], (int)weight.Dims[1]);
            used.Add(weight.Name);
        }

        var config = new BertConfig
        {
            VocabSize = Dim(byName, "embeddings.word_embeddings.weight", 0, source),
            Channels = Dim(byName, "embeddings.word_embeddings.weight", 1, source),
            MaxPositions = Dim(byName, "embeddings.position_embeddings.weight", 0, source),
            TokenTypes = Dim(byName, "embeddings.token_type_embeddings.weight", 0, source),
            FeedForward = Dim(byName, "encoder.layer.0.intermediate.dense.bias", 0, source),
            Layers = weights.Keys.Count(k => k.StartsWith("encoder.layer.", StringComparison.Ordinal) && k.EndsWith(".output.LayerNorm.weight", StringComparison.Ordinal) && !k.Contains(".attention.", StringComparison.Ordinal)),
            Heads = heads,
            Pooling = pooling,
        };
        var model = new BertModel(config);
        var missing = model.NamedParameters().Select(p => p.Name).Where(n => !weights.ContainsKey(n)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"{source}: not a BERT-family encoder Lodestar can map: no weight for {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? $" and {missing.Count - 5} more" : "")}");
        }
        foreach (var (name, parameter) in model.NamedParameters())
        {
            if (weights[name].Length != parameter.Length)
            {
                throw new InvalidDataException($"{source}: '{name}' has {weights[name].Length} values, the encoder's config needs {parameter.Length} (shape [{string.Join(", ", parameter.Shape)}])");
            }
        }
        model.LoadStateDict(model.NamedParameters().ToDictionary(p => p.Name, p => weights[p.Name], StringComparer.Ordinal));
        model.Eval();
        unused = [.. onnx.Initializers.Select(t => t.Name).Where(n => !used.Contains(n))];
        return model;
    }

    private static int Dim(Dictionary<string, OnnxTensor> byName, string name, int axis, string source) =>
        byName.TryGetValue(name, out var tensor) && tensor.Dims.Length > axis
            ? (int)tensor.Dims[axis]
            : throw new InvalidDataException($"{source}: no initializer '{name}' with {axis + 1} dimensions; not a BERT-family encoder");

    /// <summary>(rows, columns) row-major → (columns, rows).</summary>
    private static float[] Transpose(float[] values, int rows, int columns)
    {
        var result = new float[values.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                result[(c * rows) + r] = values[(r * columns) + c];
            }
        }
        return result;
    }
}
