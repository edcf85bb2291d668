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

    /// <summary>The encoder as an ONNX graph: int64 (batch, sequence) inputs; (batch, sequence, C) and (batch, C) outputs.</summary>
    public static OnnxGraphBuilder Export(BertModel model)
    {
        var config = model.Config;
        var width = config.Channels / config.Heads;
        var onnx = new OnnxLayers(new OnnxGraphBuilder("lodestar-bert"));
        var graph = onnx.Graph;
        var ids = graph.Input("input_ids", OnnxDataType.Int64, "batch", "sequence");
        var keep = graph.Input("attention_mask", OnnxDataType.Int64, "batch", "sequence");
        var types = graph.Input("token_type_ids", OnnxDataType.Int64, "batch", "sequence");

        var embeddings = model.Embeddings;
        var x = onnx.Embedding(ids, embeddings.Words, "embeddings.word_embeddings");
        x = graph.Node("Add", [x, onnx.LeadingRows(onnx.Parameter("embeddings.position_embeddings.weight", embeddings.Positions.Weight), ids)]);
        x = graph.Node("Add", [x, onnx.Embedding(types, embeddings.TokenTypes, "embeddings.token_type_embeddings")]);
        x = onnx.LayerNorm(x, embeddings.Norm, "embeddings.LayerNorm");

        var padding = onnx.KeyPaddingBias(keep);
        for (var l = 0; l < model.Encoder.Layers.Count; l++)
        {
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
}
