// The SASRec-style next-item transformer on the Lodestar engine: item (+ learned position) embeddings,
// a causal pre-norm block stack, a final LayerNorm, and logits against the same item embeddings (tied).
using Lodestar.Core;
using AttentionMask = Lodestar.Kernels.AttentionMask;
using Lodestar.Nn;
using Lodestar.Tensors;

namespace Lodestar.Models.SasRec;

public sealed partial class SasRecModel : Module, ISequenceRecommender
{
    public SasRecModel(SasRecConfig config, int itemCount, ulong seed)
    {
        config.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(itemCount, 1);
        Config = config;
        ItemCount = itemCount;
        Seed = seed;
        var random = new SeededRandom(seed);
        ItemEmbedding = AddModule("item_emb", new Embedding(itemCount + 1, config.Channels, random));
        PositionEmbedding = config.Positions == PositionEncoding.Learned
            ? AddModule("pos_emb", new Embedding(config.MaxLength, config.Channels, random))
            : null;
        EmbeddingDropout = AddModule("emb_drop", new Dropout(config.Dropout, seed + 7));
        if (config.RelativeBias)
        {
            RelativeBiasBlocks = AddModule("blocks", new RelativeBiasStack(config.Stack(seed), random));
        }
        else
        {
            Blocks = AddModule("blocks", new TransformerStack(config.Stack(seed), random));
        }
        FinalNorm = AddModule("ln_f", new LayerNorm(config.Channels));
    }

    public SasRecConfig Config { get; }

    public int ItemCount { get; }

    public ulong Seed { get; }

    /// <summary>(ItemCount + 1, C): row j embeds item j on input and scores item j on output (row 0: padding).</summary>
    public Embedding ItemEmbedding { get; }

    public Embedding? PositionEmbedding { get; }

    public Dropout EmbeddingDropout { get; }

    /// <summary>The block stack on the fused attention kernel (null with <see cref="SasRecConfig.RelativeBias"/>).</summary>
    public TransformerStack? Blocks { get; }

    /// <summary>The block stack with relative-bias attention (only with <see cref="SasRecConfig.RelativeBias"/>).</summary>
    public RelativeBiasStack? RelativeBiasBlocks { get; }

    public LayerNorm FinalNorm { get; }

    /// <summary>Hidden states (B,T,C) of a right-padded batch; position t has seen items 0..t only.</summary>
    public Tensor Encode(Graph graph, SequenceBatch batch)
    {
        var x = ItemEmbedding.Forward(graph, batch.Tokens, batch.Batch, batch.Length);
        if (PositionEmbedding is not null)
        {
            // x = item_emb[tokens] + pos_emb[0:T], the positions repeating over the batch.
            x = graph.Add(x, graph.Slice(PositionEmbedding.Weight, 0, 0, batch.Length));
        }
        x = EmbeddingDropout.Forward(graph, x);
        x = Blocks is not null ? Blocks.Forward(graph, x, AttentionMask.CausalOnly) : RelativeBiasBlocks!.Forward(graph, x);
        return FinalNorm.Forward(graph, x);
    }

    /// <summary>
    /// Mean next-item cross-entropy over the batch's target rows. Full softmax: logits (N, ItemCount + 1)
    /// = h · item_embᵀ. Sampled: logits (N, K) over <paramref name="candidates"/> minus their log q.
    /// </summary>
    public Tensor Loss(Graph graph, SequenceBatch batch, SampledCandidates? candidates = null)
    {
        var hidden = Encode(graph, batch);
        var rows = graph.IndexSelect(graph.Reshape(hidden, batch.Batch * batch.Length, Config.Channels), batch.TargetRows);
        if (candidates is null)
        {
            return graph.CrossEntropy(graph.Linear(rows, ItemEmbedding.Weight, null), batch.Labels);
        }
        var candidateEmbeddings = graph.IndexSelect(ItemEmbedding.Weight, candidates.Items);
        var logits = graph.MatMul(rows, candidateEmbeddings, transposeB: true);
        logits = graph.Add(logits, graph.Constant(candidates.NegativeLogQ, [candidates.Items.Length]));
        return graph.CrossEntropy(logits, candidates.Columns);
    }

    /// <summary>Histories scored per encoder pass; they are grouped by length so a pass pads little.</summary>
    public const int ScoringChunk = 64;

    /// <summary>Scores every item after each history (inference graph, no tape). The model must be in Eval mode.</summary>
    public void ScoreBatch(ReadOnlySpan<ReadOnlyMemory<int>> histories, Span<float> scores)
    {
        if (Training)
        {
            throw new InvalidOperationException("SasRecModel.ScoreBatch needs evaluation mode: call Eval() first (dropout is on in training mode)");
        }
        var width = ItemCount + 1;
        // The encoder costs O(T) per history at the batch's longest T: score short histories together.
        var order = new int[histories.Length];
        var lengths = new int[histories.Length];
        for (var b = 0; b < order.Length; b++)
        {
            order[b] = b;
            lengths[b] = Math.Min(histories[b].Length, Config.MaxLength);
        }
        Array.Sort(lengths, order);
        var chunk = new ReadOnlyMemory<int>[Math.Min(ScoringChunk, order.Length)];
        var graph = new Graph(recordGradients: false);
        for (var start = 0; start < order.Length; start += ScoringChunk)
        {
            var count = Math.Min(ScoringChunk, order.Length - start);
            for (var i = 0; i < count; i++)
            {
                chunk[i] = histories[order[start + i]];
            }
            graph.Reset();
            var batch = SequenceBatch.ForScoring(chunk.AsSpan(0, count), Config.MaxLength);
            var last = graph.SelectTokens(Encode(graph, batch), batch.LastPositions());
            var logits = graph.Linear(last, ItemEmbedding.Weight, null).Data;
            for (var i = 0; i < count; i++)
            {
                logits.Slice(i * width, width).CopyTo(scores.Slice(order[start + i] * width, width));
            }
        }
    }
}
