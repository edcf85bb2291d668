// A job-matching model (teacher or student) as ONNX: the pair's token ids and keep flags in, the logits of every
// policy dimension, the overall score and apply out (the layout the checkpoint records), as MatchEncoder computes
// them: token embeddings (projected E → C when narrower), learned positions, pre-norm blocks, final norm, mean
// pooling over real tokens, head.
using Lodestar.Nn.Onnx;
using Lodestar.Tensors.Serialization.Onnx;

namespace Lodestar.Models.JobMatching;

public static class MatchOnnx
{
    public static OnnxGraphBuilder Export(MatchModel model)
    {
        if (model.Config.IsolatedMember)
        {
            throw new NotSupportedException($"ONNX export of {model.CheckpointKind}: a model that isolates the member's tokens (isolated_member) needs its member " +
                "lengths as an input, which this graph does not take yet; export a model over whole pairs");
        }
        var encoder = model.Encoder;
        var onnx = new OnnxLayers(new OnnxGraphBuilder($"lodestar-{model.CheckpointKind}"));
        var graph = onnx.Graph;
        var tokens = graph.Input(TransformerOnnx.Tokens, OnnxDataType.Int64, "batch", "sequence");
        var keep = graph.Input(TransformerOnnx.Keep, OnnxDataType.Int64, "batch", "sequence");
        var x = onnx.Embedding(tokens, encoder.TokenEmbedding, "encoder.tok_emb");
        if (encoder.EmbeddingProjection is { } projection)
        {
            x = onnx.Linear(x, projection, "encoder.emb_proj");
        }
        x = graph.Node("Add", [x, onnx.LeadingRows(onnx.Parameter("encoder.pos_emb.weight", encoder.PositionEmbedding.Weight), tokens)]);
        var bias = TransformerOnnx.MaskBias(onnx, keep, causal: false, tokens, model.Config.MaxTokens);
        x = TransformerOnnx.Blocks(onnx, x, encoder.Blocks, "encoder.blocks", bias, tokens, model.Config.MaxTokens);
        x = onnx.LayerNorm(x, encoder.FinalNorm, "encoder.ln_f");
        var logits = onnx.Linear(onnx.MaskedMeanPool(x, keep), encoder.Head, "encoder.head");
        graph.Output(graph.Name(logits, TransformerOnnx.Logits), OnnxDataType.Float, "batch", model.Layout.Width);
        return graph;
    }
}
