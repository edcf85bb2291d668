// A SASRec checkpoint as ONNX: right-padded item ids (0 = padding) in, the score of every item after each history
// out, as ScoreBatch computes them: item (+ learned position) embeddings, the causal pre-norm stack (the fused-kernel
// blocks, or relative-bias attention whose bias table is gathered once for the longest history), final LayerNorm,
// the state at the last real position against the tied item table.
using Lodestar.Nn;
using Lodestar.Nn.Onnx;
using Lodestar.Tensors.Serialization.Onnx;

namespace Lodestar.Models.SasRec;

public static class SasRecOnnx
{
    public const string Items = "item_ids";
    public const string Scores = "scores";

    public static OnnxGraphBuilder Export(SasRecModel model)
    {
        var config = model.Config;
        var onnx = new OnnxLayers(new OnnxGraphBuilder("lodestar-seqrec-sasrec"));
        var graph = onnx.Graph;
        var items = graph.Input(Items, OnnxDataType.Int64, "batch", "sequence");
        var table = onnx.Parameter("item_emb.weight", model.ItemEmbedding.Weight);
        var x = graph.Node("Gather", [table, items], OnnxAttribute.Int("axis", 0));
        if (model.PositionEmbedding is { } positions)
        {
            x = graph.Node("Add", [x, onnx.LeadingRows(onnx.Parameter("pos_emb.weight", positions.Weight), items)]);
        }
        var causal = TransformerOnnx.MaskBias(onnx, keep: null, causal: true, items, config.MaxLength);
        x = model.Blocks is { } blocks
            ? TransformerOnnx.Blocks(onnx, x, blocks, "blocks", causal, items, config.MaxLength)
            : RelativeBiasBlocks(onnx, x, model.RelativeBiasBlocks!, causal!, items, config.MaxLength);
        x = onnx.LayerNorm(x, model.FinalNorm, "ln_f");
        var keep = graph.Node("Cast", [graph.Node("Greater", [items, graph.ScalarInt64(0)])], OnnxAttribute.Int("to", (long)OnnxDataType.Int64));
        var last = TransformerOnnx.LastKept(onnx, x, keep);
        var scores = graph.Node("Gemm", [last, table], OnnxAttribute.Int("transB", 1));
        graph.Output(graph.Name(scores, Scores), OnnxDataType.Float, "batch", model.ItemCount + 1);
        return graph;
    }

    private static string RelativeBiasBlocks(OnnxLayers onnx, string x, RelativeBiasStack stack, string causal, string items, int maxLength)
    {
        var graph = onnx.Graph;
        var rotary = stack.Blocks.Count > 0 && stack.Blocks[0].Attention.Rotary
            ? TransformerOnnx.RotaryTables.Create(onnx, stack.Blocks[0].Attention.Proj.Weight.Dim(0) / stack.Blocks[0].Attention.Heads, maxLength, items)
            : null;
        var length = graph.Node("Shape", [items], OnnxAttribute.Int("start", 1), OnnxAttribute.Int("end", 2));
        var square = graph.Node("Concat", [length, length], OnnxAttribute.Int("axis", 0));
        for (var i = 0; i < stack.Blocks.Count; i++)
        {
            var block = stack.Blocks[i];
            var attention = block.Attention;
            var prefix = $"blocks.{i}";
            // bias (H,T,T) = rel_bias[rows(h, i, j)] for the longest history, cut to this batch's T, plus the causal mask.
            var rows = graph.Initializer($"{prefix}.attn.rel_bias_rows", [.. attention.BiasRows(maxLength).Select(r => (long)r)], attention.Heads, maxLength, maxLength);
            var flat = graph.Node("Reshape", [onnx.Parameter($"{prefix}.attn.rel_bias", attention.RelativeBias), graph.Int64s(-1)]);
            var bias = graph.Node("Slice", [graph.Node("Gather", [flat, rows], OnnxAttribute.Int("axis", 0)), graph.Int64s(0, 0), square, graph.Int64s(1, 2)]);
            bias = graph.Node("Add", [bias, causal]);
            var attended = TransformerOnnx.Attention(onnx, onnx.LayerNorm(x, block.Norm1, $"{prefix}.ln1"), attention.Qkv, attention.Proj, attention.Heads, bias, rotary, $"{prefix}.attn");
            x = graph.Node("Add", [x, attended]);
            x = graph.Node("Add", [x, TransformerOnnx.Mlp(onnx, onnx.LayerNorm(x, block.Norm2, $"{prefix}.ln2"), block.Mlp, $"{prefix}.mlp")]);
        }
        return x;
    }
}
