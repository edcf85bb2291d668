// A BertModel written as a standard ONNX graph (opset 17) with the inputs and output names of the
// sentence-transformers export (input_ids, attention_mask, token_type_ids → last_hidden_state), plus the pooled
// sentence_embedding, so ONNX Runtime serves a fine-tuned Lodestar encoder as it would the published file.
using Lodestar.Nn.Onnx;
using Lodestar.Tensors.Serialization.Onnx;

namespace Lodestar.Models.Bert;

public static partial class BertOnnx
{
    public const string HiddenStates = "last_hidden_state";
    public const string SentenceEmbedding = "sentence_embedding";

    /// <summary>
    /// The encoder as an ONNX graph: int64 (batch, sequence) inputs; (batch, sequence, C) and (batch, C) outputs. With
    /// <paramref name="ortFused"/>, each layer uses ONNX Runtime's fused CPU operators (com.microsoft Attention,
    /// SkipLayerNormalization, BiasGelu), which only ONNX Runtime runs; otherwise standard opset-17 operators only.
    /// </summary>
    public static OnnxGraphBuilder Export(BertModel model, bool ortFused = false)
    {
        var config = model.Config;
        var width = config.Channels / config.Heads;
        var onnx = new OnnxLayers(new OnnxGraphBuilder(ortFused ? "lodestar-bert-ort-fused" : "lodestar-bert"));
        var graph = onnx.Graph;
        if (ortFused)
        {
            graph.ExtraOpsets[MicrosoftDomain] = 1;
        }
        var ids = graph.Input("input_ids", OnnxDataType.Int64, "batch", "sequence");
        var keep = graph.Input("attention_mask", OnnxDataType.Int64, "batch", "sequence");
        var types = graph.Input("token_type_ids", OnnxDataType.Int64, "batch", "sequence");

        var embeddings = model.Embeddings;
        var x = onnx.Embedding(ids, embeddings.Words, "embeddings.word_embeddings");
        x = graph.Node("Add", [x, onnx.LeadingRows(onnx.Parameter("embeddings.position_embeddings.weight", embeddings.Positions.Weight), ids)]);
        x = graph.Node("Add", [x, onnx.Embedding(types, embeddings.TokenTypes, "embeddings.token_type_embeddings")]);
        x = onnx.LayerNorm(x, embeddings.Norm, "embeddings.LayerNorm");

        var padding = ortFused ? graph.Node("Cast", [keep], OnnxAttribute.Int("to", (long)OnnxDataType.Int32)) : onnx.KeyPaddingBias(keep);
        for (var l = 0; l < model.Encoder.Layers.Count; l++)
        {
            if (ortFused)
            {
                x = FusedLayer(onnx, x, model.Encoder.Layers[l], $"encoder.layer.{l}", config, padding);
                continue;
            }
            var layer = model.Encoder.Layers[l];
            var prefix = $"encoder.layer.{l}";
            var self = layer.Attention.Self;
            var q = onnx.SplitHeads(onnx.Linear(x, self.Query, $"{prefix}.attention.self.query"), config.Heads, width);
            var k = onnx.SplitHeads(onnx.Linear(x, self.Key, $"{prefix}.attention.self.key"), config.Heads, width, keysTransposed: true);
            var v = onnx.SplitHeads(onnx.Linear(x, self.Value, $"{prefix}.attention.self.value"), config.Heads, width);
            var attended = onnx.MergeHeads(onnx.Attention(q, k, v, width, padding), config.Channels);
            var output = layer.Attention.Output;
            var h = onnx.LayerNorm(graph.Node("Add", [x, onnx.Linear(attended, output.Dense, $"{prefix}.attention.output.dense")]), output.Norm, $"{prefix}.attention.output.LayerNorm");
            var hidden = onnx.GeluErf(onnx.Linear(h, layer.Intermediate.Dense, $"{prefix}.intermediate.dense"));
            x = onnx.LayerNorm(graph.Node("Add", [h, onnx.Linear(hidden, layer.Output.Dense, $"{prefix}.output.dense")]), layer.Output.Norm, $"{prefix}.output.LayerNorm");
        }

        var states = graph.Name(x, HiddenStates);
        graph.Output(states, OnnxDataType.Float, "batch", "sequence", config.Channels);
        var pooled = config.Pooling == BertPooling.Mean
            ? onnx.MaskedMeanPool(states, keep)
            : graph.Node("Gather", [states, graph.ScalarInt64(0)], OnnxAttribute.Int("axis", 1));
        graph.Output(graph.Name(pooled, SentenceEmbedding), OnnxDataType.Float, "batch", config.Channels);
        return graph;
    }

    /// <summary>The domain of ONNX Runtime's own operators.</summary>
    public const string MicrosoftDomain = "com.microsoft";

    /// <summary>
    /// One post-norm layer in ONNX Runtime's fused operators: Attention (q|k|v from one (C, 3C) weight, the raw 1/0 mask
    /// as int32), SkipLayerNormalization LN(input + skip + bias) for both residual ends, BiasGelu (exact erf) for the MLP.
    /// </summary>
    private static string FusedLayer(OnnxLayers onnx, string x, BertLayer layer, string prefix, BertConfig config, string mask)
    {
        var graph = onnx.Graph;
        var self = layer.Attention.Self;
        int channels = config.Channels;
        // (C, 3C): column block 0 is Wqᵀ, block 1 Wkᵀ, block 2 Wvᵀ; the bias is bq | bk | bv.
        var weights = new float[channels * 3 * channels];
        var bias = new float[3 * channels];
        foreach (var (linear, block) in new[] { (self.Query, 0), (self.Key, 1), (self.Value, 2) })
        {
            var transposed = OnnxLayers.Transposed(linear.Weight);
            for (var i = 0; i < channels; i++)
            {
                transposed.AsSpan(i * channels, channels).CopyTo(weights.AsSpan((i * 3 * channels) + (block * channels), channels));
            }
            linear.Bias!.Data.CopyTo(bias.AsSpan(block * channels, channels));
        }
        var attended = graph.Node("Attention", [x, graph.Initializer($"{prefix}.attention.self.qkv_weight", weights, channels, 3 * channels),
            graph.Initializer($"{prefix}.attention.self.qkv_bias", bias, 3 * channels), mask], 1, MicrosoftDomain, OnnxAttribute.Int("num_heads", config.Heads))[0];
        var output = layer.Attention.Output;
        var h = SkipLayerNorm(onnx, onnx.MatMul(attended, output.Dense, $"{prefix}.attention.output.dense"), x, output.Dense, output.Norm, $"{prefix}.attention.output");
        var hidden = graph.Node("BiasGelu", [onnx.MatMul(h, layer.Intermediate.Dense, $"{prefix}.intermediate.dense"),
            onnx.Parameter($"{prefix}.intermediate.dense.bias", layer.Intermediate.Dense.Bias!)], 1, MicrosoftDomain)[0];
        return SkipLayerNorm(onnx, onnx.MatMul(hidden, layer.Output.Dense, $"{prefix}.output.dense"), h, layer.Output.Dense, layer.Output.Norm, $"{prefix}.output");
    }

    /// <summary>LN(input + skip + dense's bias) as com.microsoft SkipLayerNormalization.</summary>
    private static string SkipLayerNorm(OnnxLayers onnx, string input, string skip, Nn.Linear dense, Nn.LayerNorm norm, string name) =>
        onnx.Graph.Node("SkipLayerNormalization", [input, skip, onnx.Parameter($"{name}.LayerNorm.weight", norm.Weight), onnx.Parameter($"{name}.LayerNorm.bias", norm.Bias),
            onnx.Parameter($"{name}.dense.bias", dense.Bias!)], 1, MicrosoftDomain, OnnxAttribute.Float("epsilon", norm.Eps))[0];
}
