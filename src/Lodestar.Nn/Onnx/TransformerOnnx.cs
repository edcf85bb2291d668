// The pre-norm transformer (Nn/Transformer.cs) as ONNX: blocks x + attn(norm(x)), x + mlp(norm(x)) with either
// norm, rotary positions (the half-split rotation of Attention.RotateQk) or none, causal and padding masks as
// additive biases, every MLP kind; and the reference TransformerClassifier on top (embeddings, final norm,
// pooling, head → logits).
using Lodestar.Tensors.Serialization.Onnx;

namespace Lodestar.Nn.Onnx;

public static class TransformerOnnx
{
    public const string Tokens = "input_ids";
    public const string Keep = "attention_mask";
    public const string Logits = "logits";

    /// <summary>
    /// The blocks of <paramref name="stack"/> over x (B,T,C). <paramref name="bias"/> broadcasts to (B,H,T,T) or is
    /// null; <paramref name="tokens"/> (B,T) gives T for the rotary tables, which cover <paramref name="maxTokens"/>.
    /// </summary>
    public static string Blocks(OnnxLayers onnx, string x, TransformerStack stack, string name, string? bias, string tokens, int maxTokens)
    {
        var graph = onnx.Graph;
        var rotation = stack.Blocks.Count > 0 && stack.Blocks[0].Attention.Rotary
            ? RotaryTables.Create(onnx, stack.Blocks[0].Attention.Proj.Weight.Dim(0) / stack.Blocks[0].Attention.Heads, maxTokens, tokens)
            : null;
        for (var i = 0; i < stack.Blocks.Count; i++)
        {
            var block = stack.Blocks[i];
            var prefix = $"{name}.{i}";
            var attention = block.Attention;
            var attended = Attention(onnx, Norm(onnx, x, block.Norm1, $"{prefix}.ln1"), attention.Qkv, attention.Proj, attention.Heads, bias, rotation, $"{prefix}.attn");
            x = graph.Node("Add", [x, attended]);
            x = graph.Node("Add", [x, Mlp(onnx, Norm(onnx, x, block.Norm2, $"{prefix}.ln2"), block.Mlp, $"{prefix}.mlp")]);
        }
        return x;
    }

    /// <summary>A LayerNorm or an RmsNorm.</summary>
    public static string Norm(OnnxLayers onnx, string x, Module norm, string name) => norm switch
    {
        LayerNorm layer => onnx.LayerNorm(x, layer, name),
        RmsNorm rms => onnx.RmsNorm(x, rms, name),
        _ => throw new ArgumentException($"{name}: no ONNX form for a {norm.GetType().Name}"),
    };

    /// <summary>
    /// Additive attention bias (·,1,T,T) or (B,1,1,T): padding from keep (B,T) int64 when given, plus −1e9 above the
    /// diagonal when causal. Null when neither applies.
    /// </summary>
    public static string? MaskBias(OnnxLayers onnx, string? keep, bool causal, string tokens, int maxTokens)
    {
        var graph = onnx.Graph;
        var padding = keep is null ? null : onnx.KeyPaddingBias(keep);
        if (!causal)
        {
            return padding;
        }
        var table = new float[maxTokens * maxTokens];
        for (var query = 0; query < maxTokens; query++)
        {
            table.AsSpan((query * maxTokens) + query + 1, maxTokens - query - 1).Fill(-1e9f);
        }
        var length = graph.Node("Shape", [tokens], OnnxAttribute.Int("start", 1), OnnxAttribute.Int("end", 2));
        var square = graph.Node("Slice", [graph.Initializer("causal_bias", table, maxTokens, maxTokens), graph.Int64s(0, 0),
            graph.Node("Concat", [length, length], OnnxAttribute.Int("axis", 0)), graph.Int64s(0, 1)]);
        return padding is null ? square : graph.Node("Add", [padding, square]);
    }

    /// <summary>The reference classifier: input_ids and attention_mask (B,T) int64 → logits (B, classes).</summary>
    public static OnnxGraphBuilder Export(TransformerClassifier model)
    {
        var config = model.Config;
        var onnx = new OnnxLayers(new OnnxGraphBuilder("lodestar-transformer-classifier"));
        var graph = onnx.Graph;
        var tokens = graph.Input(Tokens, OnnxDataType.Int64, "batch", "sequence");
        var keep = graph.Input(Keep, OnnxDataType.Int64, "batch", "sequence");
        var x = onnx.Embedding(tokens, model.TokenEmbedding, "tok_emb");
        if (model.PositionEmbedding is { } positions)
        {
            x = graph.Node("Add", [x, onnx.LeadingRows(onnx.Parameter("pos_emb.weight", positions.Weight), tokens)]);
        }
        x = Blocks(onnx, x, model.Blocks, "blocks", MaskBias(onnx, keep, config.Causal, tokens, config.MaxTokens), tokens, config.MaxTokens);
        x = Norm(onnx, x, model.FinalNorm, "ln_f");
        var pooled = config.Pooling switch
        {
            PoolingKind.Mean => onnx.MaskedMeanPool(x, keep),
            PoolingKind.Cls => graph.Node("Gather", [x, graph.ScalarInt64(0)], OnnxAttribute.Int("axis", 1)),
            _ => LastKept(onnx, x, keep),
        };
        graph.Output(graph.Name(onnx.Linear(pooled, model.Head, "head"), Logits), OnnxDataType.Float, "batch", config.NumClasses);
        return graph;
    }

    /// <summary>
    /// proj(softmax(q·kᵀ/√D + bias)·v) with q|k|v = qkv(x) (B,T,3C), q and k rotated when <paramref name="rotary"/> is
    /// given; returns (B,T,C).
    /// </summary>
    public static string Attention(OnnxLayers onnx, string x, Linear qkv, Linear proj, int heads, string? bias, RotaryTables? rotary, string name)
    {
        var graph = onnx.Graph;
        // The heads' channels: C, or fewer in a block whose heads were pruned.
        var channels = proj.Weight.Dim(1);
        var width = channels / heads;
        var parts = graph.Node("Split", [onnx.Linear(x, qkv, $"{name}.qkv"), graph.Int64s(channels, channels, channels)], 3, "", OnnxAttribute.Int("axis", 2));
        var q = onnx.SplitHeads(parts[0], heads, width);
        var v = onnx.SplitHeads(parts[2], heads, width);
        string k;
        if (rotary is not null)
        {
            q = rotary.Apply(onnx, q, width);
            k = graph.Node("Transpose", [rotary.Apply(onnx, onnx.SplitHeads(parts[1], heads, width), width)], OnnxAttribute.Ints("perm", 0, 1, 3, 2));
        }
        else
        {
            k = onnx.SplitHeads(parts[1], heads, width, keysTransposed: true);
        }
        return onnx.Linear(onnx.MergeHeads(onnx.Attention(q, k, v, width, bias), channels), proj, $"{name}.proj");
    }

    /// <summary>fc2 of the MLP's hidden layer (GELU-tanh, SiLU or SwiGLU) over x (B,T,C).</summary>
    public static string Mlp(OnnxLayers onnx, string x, Mlp mlp, string name) => onnx.Linear(mlp.Kind switch
    {
        MlpKind.Gelu => onnx.GeluTanh(onnx.Linear(x, mlp.Fc1, $"{name}.fc1")),
        MlpKind.Silu => onnx.Silu(onnx.Linear(x, mlp.Fc1, $"{name}.fc1")),
        _ => onnx.Graph.Node("Mul", [onnx.Silu(onnx.Linear(x, mlp.Gate!, $"{name}.gate")), onnx.Linear(x, mlp.Fc1, $"{name}.fc1")]),
    }, mlp.Fc2, $"{name}.fc2");

    /// <summary>x (B,T,C) at each sequence's last kept position: the largest t with keep (B,T) int64 = 1 (0 when none).</summary>
    public static string LastKept(OnnxLayers onnx, string x, string keep)
    {
        var graph = onnx.Graph;
        var length = graph.Node("Shape", [keep], OnnxAttribute.Int("start", 1), OnnxAttribute.Int("end", 2));
        var positions = graph.Node("Range", [graph.ScalarInt64(1), graph.Node("Add", [graph.Node("Squeeze", [length]), graph.ScalarInt64(1)]), graph.ScalarInt64(1)]);
        var last = graph.Node("ArgMax", [graph.Node("Mul", [keep, positions])], OnnxAttribute.Int("axis", 1), OnnxAttribute.Int("keepdims", 1));
        return graph.Node("GatherND", [x, last], OnnxAttribute.Int("batch_dims", 1));
    }

    /// <summary>cos and sin tables (T,D) for the half-split rotation, angle(t, d) = t·θ^(−2d/D) for d &lt; D/2, repeated for the second half.</summary>
    public sealed class RotaryTables
    {
        private readonly string _cos;
        private readonly string _sin;

        private RotaryTables(string cos, string sin)
        {
            _cos = cos;
            _sin = sin;
        }

        /// <summary>Tables for heads of width D over positions 0..maxTokens−1, cut to the T of tokens (B,T).</summary>
        public static RotaryTables Create(OnnxLayers onnx, int width, int maxTokens, string tokens, float theta = 10000f)
        {
            var half = width / 2;
            var cos = new float[maxTokens * width];
            var sin = new float[maxTokens * width];
            for (var t = 0; t < maxTokens; t++)
            {
                for (var d = 0; d < half; d++)
                {
                    var (s, c) = MathF.SinCos(t * MathF.Pow(theta, -2f * d / width));
                    cos[(t * width) + d] = cos[(t * width) + d + half] = c;
                    sin[(t * width) + d] = sin[(t * width) + d + half] = s;
                }
            }
            var graph = onnx.Graph;
            return new RotaryTables(
                onnx.LeadingRows(graph.Initializer("rope_cos", cos, maxTokens, width), tokens),
                onnx.LeadingRows(graph.Initializer("rope_sin", sin, maxTokens, width), tokens));
        }

        /// <summary>x (B,H,T,D) rotated: x·cos + rotate_half(x)·sin, rotate_half(x) = [−x₂, x₁].</summary>
        public string Apply(OnnxLayers onnx, string x, int width)
        {
            var graph = onnx.Graph;
            var halves = graph.Node("Split", [x, graph.Int64s(width / 2, width / 2)], 2, "", OnnxAttribute.Int("axis", -1));
            var rotated = graph.Node("Concat", [graph.Node("Neg", [halves[1]]), halves[0]], OnnxAttribute.Int("axis", -1));
            return graph.Node("Add", [graph.Node("Mul", [x, _cos]), graph.Node("Mul", [rotated, _sin])]);
        }
    }
}
