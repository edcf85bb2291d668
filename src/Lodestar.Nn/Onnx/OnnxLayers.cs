// Lodestar's layers written as standard ONNX operators (opset 17), so each model's exporter reads like its
// forward pass: Linear as MatMul with the transposed (in, out) weight then Add, LayerNorm as LayerNormalization,
// RMSNorm and both GELUs composed from elementwise ops, attention as MatMul, Softmax, MatMul over (B,H,T,D).
using Lodestar.Tensors;
using Lodestar.Tensors.Serialization.Onnx;

namespace Lodestar.Nn.Onnx;

public sealed class OnnxLayers(OnnxGraphBuilder graph)
{
    public OnnxGraphBuilder Graph { get; } = graph;

    /// <summary>A parameter as an initializer of its own shape under its own name.</summary>
    public string Parameter(string name, Tensor parameter) =>
        Graph.Initializer(name, parameter.Data, [.. parameter.Shape.Select(d => (long)d)]);

    /// <summary>x (..., in) · Wᵀ + b → (..., out). The (out, in) weight is stored transposed, (in, out), as MatMul's right operand.</summary>
    public string Linear(string x, Linear layer, string name)
    {
        var product = MatMul(x, layer, name);
        return layer.Bias is null ? product : Graph.Node("Add", [product, Parameter($"{name}.bias", layer.Bias)]);
    }

    /// <summary>x (..., in) · Wᵀ → (..., out) without the bias (for an operator that adds it itself).</summary>
    public string MatMul(string x, Linear layer, string name) =>
        Graph.Node("MatMul", [x, Graph.Initializer($"onnx::MatMul.{name}.weight", Transposed(layer.Weight), layer.Weight.Dim(1), layer.Weight.Dim(0))]);

    /// <summary>A (rows, columns) weight as (columns, rows), row-major.</summary>
    public static float[] Transposed(Tensor weight)
    {
        int rows = weight.Dim(0), columns = weight.Dim(1);
        var transposed = new float[weight.Length];
        var values = weight.Data;
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                transposed[(c * rows) + r] = values[(r * columns) + c];
            }
        }
        return transposed;
    }

    /// <summary>Rows of an embedding table: ids (any shape, int64) → (..., C).</summary>
    public string Embedding(string ids, Embedding table, string name) =>
        Graph.Node("Gather", [Parameter($"{name}.weight", table.Weight), ids], OnnxAttribute.Int("axis", 0));

    public string LayerNorm(string x, LayerNorm norm, string name) =>
        Graph.Node("LayerNormalization", [x, Parameter($"{name}.weight", norm.Weight), Parameter($"{name}.bias", norm.Bias)],
            OnnxAttribute.Int("axis", -1), OnnxAttribute.Float("epsilon", norm.Eps));

    /// <summary>x / √(mean(x²) + ε) · w over the last axis (no RMSNormalization operator before opset 23).</summary>
    public string RmsNorm(string x, RmsNorm norm, string name)
    {
        var meanSquare = Graph.Node("ReduceMean", [Graph.Node("Mul", [x, x])], OnnxAttribute.Ints("axes", -1), OnnxAttribute.Int("keepdims", 1));
        var inverse = Graph.Node("Reciprocal", [Graph.Node("Sqrt", [Graph.Node("Add", [meanSquare, Graph.Scalar(norm.Eps)])])]);
        return Graph.Node("Mul", [Graph.Node("Mul", [x, inverse]), Parameter($"{name}.weight", norm.Weight)]);
    }

    /// <summary>½x(1 + erf(x/√2)).</summary>
    public string GeluErf(string x)
    {
        var erf = Graph.Node("Erf", [Graph.Node("Mul", [x, Graph.Scalar(0.70710677f)])]);
        return Graph.Node("Mul", [Graph.Node("Mul", [x, Graph.Node("Add", [erf, Graph.Scalar(1f)])]), Graph.Scalar(0.5f)]);
    }

    /// <summary>½x(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
    public string GeluTanh(string x)
    {
        var cube = Graph.Node("Mul", [Graph.Node("Mul", [x, x]), x]);
        var inner = Graph.Node("Mul", [Graph.Node("Add", [x, Graph.Node("Mul", [cube, Graph.Scalar(0.044715f)])]), Graph.Scalar(0.7978846f)]);
        var tanh = Graph.Node("Tanh", [inner]);
        return Graph.Node("Mul", [Graph.Node("Mul", [x, Graph.Node("Add", [tanh, Graph.Scalar(1f)])]), Graph.Scalar(0.5f)]);
    }

    /// <summary>x·σ(x).</summary>
    public string Silu(string x) => Graph.Node("Mul", [x, Graph.Node("Sigmoid", [x])]);

    /// <summary>
    /// A padding mask (B,T) of int64 keep flags as an additive bias (B,1,1,T): 0 where a key is kept, −1e9 where it is
    /// padding, so softmax gives padded keys a weight of exactly 0 in float32.
    /// </summary>
    public string KeyPaddingBias(string keep)
    {
        var dropped = Graph.Node("Sub", [Graph.Scalar(1f), Graph.Node("Cast", [keep], OnnxAttribute.Int("to", (long)OnnxDataType.Float))]);
        return Graph.Node("Unsqueeze", [Graph.Node("Mul", [dropped, Graph.Scalar(-1e9f)]), Graph.Int64s(1, 2)]);
    }

    /// <summary>(B,T,C) → (B,H,T,D), or (B,H,D,T) for keys when <paramref name="keysTransposed"/>.</summary>
    public string SplitHeads(string x, int heads, int width, bool keysTransposed = false)
    {
        var split = Graph.Node("Reshape", [x, Graph.Int64s(0, 0, heads, width)]);
        return Graph.Node("Transpose", [split], OnnxAttribute.Ints("perm", keysTransposed ? [0, 2, 3, 1] : [0, 2, 1, 3]));
    }

    /// <summary>(B,H,T,D) → (B,T,C).</summary>
    public string MergeHeads(string x, int channels) =>
        Graph.Node("Reshape", [Graph.Node("Transpose", [x], OnnxAttribute.Ints("perm", 0, 2, 1, 3)), Graph.Int64s(0, 0, channels)]);

    /// <summary>
    /// softmax(q·kᵀ/√D + bias)·v for q, v (B,H,T,D) and k (B,H,D,T); <paramref name="bias"/> broadcasts to
    /// (B,H,T,T) (padding, causal or relative-position terms) or is null. Returns (B,H,T,D).
    /// </summary>
    public string Attention(string q, string k, string v, int width, string? bias)
    {
        var scores = Graph.Node("Mul", [Graph.Node("MatMul", [q, k]), Graph.Scalar(1f / MathF.Sqrt(width))]);
        if (bias is not null)
        {
            scores = Graph.Node("Add", [scores, bias]);
        }
        return Graph.Node("MatMul", [Graph.Node("Softmax", [scores], OnnxAttribute.Int("axis", -1)), v]);
    }

    /// <summary>The mean over kept positions: x (B,T,C), keep (B,T) int64 → (B,C).</summary>
    public string MaskedMeanPool(string x, string keep)
    {
        var weights = Graph.Node("Unsqueeze", [Graph.Node("Cast", [keep], OnnxAttribute.Int("to", (long)OnnxDataType.Float)), Graph.Int64s(2)]);
        var sum = Graph.Node("ReduceSum", [Graph.Node("Mul", [x, weights]), Graph.Int64s(1)], OnnxAttribute.Int("keepdims", 0));
        var count = Graph.Node("ReduceSum", [weights, Graph.Int64s(1)], OnnxAttribute.Int("keepdims", 0));
        return Graph.Node("Div", [sum, count]);
    }

    /// <summary>The first T rows of a (P, C) table, T the length of axis 1 of <paramref name="tokens"/> (B,T).</summary>
    public string LeadingRows(string table, string tokens)
    {
        var length = Graph.Node("Shape", [tokens], OnnxAttribute.Int("start", 1), OnnxAttribute.Int("end", 2));
        return Graph.Node("Slice", [table, Graph.Int64s(0), length, Graph.Int64s(0)]);
    }
}
