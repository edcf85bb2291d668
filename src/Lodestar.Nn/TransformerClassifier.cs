// The reference transformer classifier (its PyTorch twin is bench/compare/torch_transformer.py): token + learned position embeddings,
// L pre-norm blocks, final norm, pooling over the unpadded tokens and a linear head; PyTorch names.
using Lodestar.Core;
using Lodestar.Kernels;
using Lodestar.Tensors;

namespace Lodestar.Nn;

public sealed class TransformerClassifier : Module
{
    private readonly Func<Graph, Tensor, Tensor> _finalNorm;
    private AttentionMask _mask;
    private byte[]? _maskKeep;
    private int[] _lastPositions = [];

    public TransformerClassifier(TransformerConfig config)
    {
        Config = config.Validate();
        var random = new SeededRandom(config.Seed);
        TokenEmbedding = AddModule("tok_emb", new Embedding(config.VocabSize, config.Channels, random));
        PositionEmbedding = config.Positions == PositionEncoding.Learned
            ? AddModule("pos_emb", new Embedding(config.MaxTokens, config.Channels, random))
            : null;
        Blocks = AddModule("blocks", new TransformerStack(config, random));
        if (config.Norm == NormKind.RmsNorm)
        {
            var rms = AddModule("ln_f", new RmsNorm(config.Channels));
            (FinalNorm, _finalNorm) = (rms, rms.Forward);
        }
        else
        {
            var layer = AddModule("ln_f", new LayerNorm(config.Channels));
            (FinalNorm, _finalNorm) = (layer, layer.Forward);
        }
        Head = AddModule("head", new Linear(config.Channels, config.NumClasses, random));
        EmbeddingDropout = AddModule("emb_drop", new Dropout(config.Dropout, config.Seed + 7));
        _mask = new AttentionMask(config.Causal);
    }

    public TransformerConfig Config { get; }

    public Embedding TokenEmbedding { get; }

    public Embedding? PositionEmbedding { get; }

    public TransformerStack Blocks { get; }

    /// <summary>The norm after the last block: a LayerNorm or an RmsNorm.</summary>
    public Module FinalNorm { get; }

    public Linear Head { get; }

    public Dropout EmbeddingDropout { get; }

    /// <summary>The (B,T,C) final hidden states for tokens (B·T); keep (B·T) marks real tokens (null: all).</summary>
    public Tensor Encode(Graph graph, int[] tokens, int batch, int length, byte[]? keep = null)
    {
        if (length > Config.MaxTokens)
        {
            throw new ArgumentException($"sequence length {length} exceeds TransformerConfig.MaxTokens = {Config.MaxTokens}", nameof(length));
        }
        var x = TokenEmbedding.Forward(graph, tokens, batch, length);
        if (PositionEmbedding is not null)
        {
            // x = tok_emb[tokens] + pos_emb[0:T], the position rows repeating over the batch.
            x = graph.Add(x, graph.Slice(PositionEmbedding.Weight, 0, 0, length));
        }
        x = EmbeddingDropout.Forward(graph, x);
        x = Blocks.Forward(graph, x, MaskFor(keep));
        return _finalNorm(graph, x);
    }

    /// <summary>Class logits (B, NumClasses) for tokens (B·T).</summary>
    public Tensor Forward(Graph graph, int[] tokens, int batch, int length, byte[]? keep = null)
    {
        var hidden = Encode(graph, tokens, batch, length, keep);
        var pooled = Config.Pooling switch
        {
            PoolingKind.Mean => graph.MaskedMeanPool(hidden, keep),
            PoolingKind.Cls => graph.SelectTokens(hidden, Positions(batch, length, keep, last: false)),
            _ => graph.SelectTokens(hidden, Positions(batch, length, keep, last: true)),
        };
        return Head.Forward(graph, pooled);
    }

    /// <summary>Mean cross-entropy of the logits for tokens against labels (B).</summary>
    public Tensor Loss(Graph graph, int[] tokens, int[] labels, int batch, int length, byte[]? keep = null) =>
        graph.CrossEntropy(Forward(graph, tokens, batch, length, keep), labels);

    private AttentionMask MaskFor(byte[]? keep)
    {
        if (!ReferenceEquals(keep, _maskKeep))
        {
            _mask = new AttentionMask(Config.Causal, keep);
            _maskKeep = keep;
        }
        return _mask;
    }

    private int[] Positions(int batch, int length, byte[]? keep, bool last)
    {
        if (_lastPositions.Length != batch)
        {
            _lastPositions = new int[batch];
        }
        for (var b = 0; b < batch; b++)
        {
            var position = 0;
            if (last)
            {
                position = length - 1;
                while (keep is not null && position > 0 && keep[(b * length) + position] == 0)
                {
                    position--;
                }
            }
            _lastPositions[b] = position;
        }
        return _lastPositions;
    }
}
