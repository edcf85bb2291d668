// The encoder every match model uses: token embeddings of width E, projected to the model width C when E < C
// (ALBERT's factorized embedding, Lan et al. 2020), learned positions, pre-norm blocks, a final norm,
// mean pooling over the real tokens and a linear head. E = C is the plain TransformerClassifier layout.
using Lodestar.Core;
using AttentionMask = Lodestar.Kernels.AttentionMask;
using Lodestar.Nn;
using Lodestar.Tensors;

namespace Lodestar.Models.JobMatching;

public sealed class MatchEncoder : Module
{
    public MatchEncoder(MatchModelConfig config, int vocabSize, int outputs)
    {
        Config = config;
        Transformer = config.ToTransformer(vocabSize, outputs);
        var random = new SeededRandom(config.Seed);
        var embedding = config.EmbeddingWidth;
        TokenEmbedding = AddModule("tok_emb", new Embedding(vocabSize, embedding, random));
        // E → C without a bias: the position embedding that follows already adds a per-position offset.
        EmbeddingProjection = embedding == config.Channels ? null : AddModule("emb_proj", new Linear(embedding, config.Channels, random, bias: false));
        PositionEmbedding = AddModule("pos_emb", new Embedding(config.MaxTokens, config.Channels, random));
        Blocks = AddModule("blocks", new TransformerStack(Transformer, random));
        FinalNorm = AddModule("ln_f", new LayerNorm(config.Channels));
        Head = AddModule("head", new Linear(config.Channels, outputs, random));
    }

    public MatchModelConfig Config { get; }

    public TransformerConfig Transformer { get; }

    public Embedding TokenEmbedding { get; }

    public Linear? EmbeddingProjection { get; }

    public Embedding PositionEmbedding { get; }

    public TransformerStack Blocks { get; }

    public LayerNorm FinalNorm { get; }

    public Linear Head { get; }

    /// <summary>tokens (B·T) with keep (B·T) marking real tokens, T = MaxTokens; returns logits (B, outputs).</summary>
    public Tensor Forward(Graph graph, int[] tokens, int batch, byte[] keep) => Forward(graph, tokens, batch, Config.MaxTokens, keep);

    /// <summary>
    /// tokens (B·L) with keep (B·L), L ≤ MaxTokens: a batch cut to its longest pair. Real tokens see only real
    /// keys and pooling averages only real tokens, so the logits equal those of the same pairs padded to MaxTokens.
    /// </summary>
    public Tensor Forward(Graph graph, int[] tokens, int batch, int length, byte[] keep)
    {
        if (length < 1 || length > Config.MaxTokens || tokens.Length != batch * length || keep.Length != batch * length)
        {
            throw new ArgumentException($"match encoder: {tokens.Length} tokens and {keep.Length} flags for batch {batch} × length {length} (MaxTokens {Config.MaxTokens})");
        }
        // x = proj(tok_emb[tokens]) + pos_emb[0:L]: (B,L,E) → (B,L,C), position rows repeating over the batch.
        var x = TokenEmbedding.Forward(graph, tokens, batch, length);
        if (EmbeddingProjection is not null)
        {
            x = EmbeddingProjection.Forward(graph, x);
        }
        x = graph.Add(x, length == Config.MaxTokens ? PositionEmbedding.Weight : graph.Slice(PositionEmbedding.Weight, 0, 0, length));
        // Real tokens attend to real keys only; the mask holds no state, so concurrent passes share the model safely.
        x = FinalNorm.Forward(graph, Blocks.Forward(graph, x, AttentionMask.ForKeyKeep(keep)));
        return Head.Forward(graph, graph.MaskedMeanPool(x, keep));
    }
}
