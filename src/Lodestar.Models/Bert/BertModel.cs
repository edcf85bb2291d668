// A BERT-family encoder on the Lodestar engine, with the Hugging Face BertModel's parameter names
// ("encoder.layer.0.attention.self.query.weight"), so weights exported by PyTorch or ONNX map one to one.
// Post-norm blocks (Devlin et al. 2019): h = LN(x + attn(x)), y = LN(h + W₂·GELU(W₁·h)), GELU exact (erf).
using Lodestar.Core;
using AttentionMask = Lodestar.Kernels.AttentionMask;
using Lodestar.Nn;
using Lodestar.Tensors;

namespace Lodestar.Models.Bert;

public sealed partial class BertModel : Module
{
    public BertModel(BertConfig config)
    {
        Config = config.Validate();
        var random = new SeededRandom(config.Seed);
        Embeddings = AddModule("embeddings", new BertEmbeddings(config, random));
        Encoder = AddModule("encoder", new BertEncoder(config, random));
    }

    public BertConfig Config { get; }

    public BertEmbeddings Embeddings { get; }

    public BertEncoder Encoder { get; }

    /// <summary>
    /// Hidden states (B,T,C) of token ids (B·T) with token types (B·T, null: all 0) and keep flags (B·T, 1 for a real
    /// token, null: all real); padded positions are computed but no real token attends to them.
    /// </summary>
    public Tensor Forward(Graph graph, int[] tokens, int batch, int length, int[]? tokenTypes = null, byte[]? keep = null)
    {
        if (length > Config.MaxPositions)
        {
            throw new ArgumentException($"BERT: sequences of {length} tokens, the model has {Config.MaxPositions} positions");
        }
        var x = Embeddings.Forward(graph, tokens, batch, length, tokenTypes);
        var mask = keep is null ? AttentionMask.None : AttentionMask.ForKeyKeep(keep);
        return Encoder.Forward(graph, x, mask);
    }

    /// <summary>One vector (B,C) per sequence, pooled as <see cref="BertConfig.Pooling"/> says.</summary>
    public Tensor Embed(Graph graph, int[] tokens, int batch, int length, int[]? tokenTypes = null, byte[]? keep = null)
    {
        var hidden = Forward(graph, tokens, batch, length, tokenTypes, keep);
        return Config.Pooling == BertPooling.Mean
            ? graph.MaskedMeanPool(hidden, keep)
            : graph.SelectTokens(hidden, new int[batch]); // position 0 of every sequence: [CLS]
    }
}

/// <summary>word + position + token-type embeddings, then LayerNorm and dropout.</summary>
public sealed class BertEmbeddings : Module
{
    private readonly BertConfig _config;
    private readonly Dropout _dropout;

    public BertEmbeddings(BertConfig config, SeededRandom random)
    {
        _config = config;
        Words = AddModule("word_embeddings", new Embedding(config.VocabSize, config.Channels, random));
        Positions = AddModule("position_embeddings", new Embedding(config.MaxPositions, config.Channels, random));
        TokenTypes = AddModule("token_type_embeddings", new Embedding(config.TokenTypes, config.Channels, random));
        Norm = AddModule("LayerNorm", new LayerNorm(config.Channels, config.LayerNormEps));
        _dropout = AddModule("dropout", new Dropout(config.Dropout, config.Seed + 1));
    }

    public Embedding Words { get; }

    public Embedding Positions { get; }

    public Embedding TokenTypes { get; }

    public LayerNorm Norm { get; }

    /// <summary>tokens and tokenTypes are (B·T); returns (B,T,C).</summary>
    public Tensor Forward(Graph graph, int[] tokens, int batch, int length, int[]? tokenTypes)
    {
        var x = Words.Forward(graph, tokens, batch, length);
        // + position_embeddings[0:T], the positions repeating over the batch.
        x = graph.Add(x, graph.Slice(Positions.Weight, 0, 0, length));
        x = graph.Add(x, TokenTypes.Forward(graph, tokenTypes ?? new int[tokens.Length], batch, length));
        return _dropout.Forward(graph, Norm.Forward(graph, x));
    }
}

/// <summary>The stack of post-norm layers ("layer.0" .. "layer.L−1").</summary>
public sealed class BertEncoder : Module
{
    private readonly List<BertLayer> _layers = [];

    public BertEncoder(BertConfig config, SeededRandom random)
    {
        for (var l = 0; l < config.Layers; l++)
        {
            _layers.Add(AddModule($"layer.{l}", new BertLayer(config, random, config.Seed + 100 + (ulong)l * 10)));
        }
    }

    public IReadOnlyList<BertLayer> Layers => _layers;

    /// <summary>x is (B,T,C); returns (B,T,C).</summary>
    public Tensor Forward(Graph graph, Tensor x, AttentionMask mask)
    {
        foreach (var layer in _layers)
        {
            x = layer.Forward(graph, x, mask);
        }
        return x;
    }
}

/// <summary>One post-norm layer, named as Hugging Face's BertLayer.</summary>
public sealed class BertLayer : Module
{
    public BertLayer(BertConfig config, SeededRandom random, ulong dropoutSeed)
    {
        Attention = AddModule("attention", new BertAttention(config, random, dropoutSeed));
        Intermediate = AddModule("intermediate", new BertDense(config.Channels, config.FeedForward, random));
        Output = AddModule("output", new BertResidualOutput(config.FeedForward, config, random, dropoutSeed + 1));
    }

    public BertAttention Attention { get; }

    public BertDense Intermediate { get; }

    public BertResidualOutput Output { get; }

    /// <summary>x is (B,T,C): h = LN(x + attn(x)); returns LN(h + W₂·GELU(W₁·h + b₁) + b₂).</summary>
    public Tensor Forward(Graph graph, Tensor x, AttentionMask mask)
    {
        var h = Attention.Forward(graph, x, mask);
        var hidden = graph.GeluErf(Intermediate.Dense.Forward(graph, h));
        return Output.Forward(graph, hidden, h);
    }
}

/// <summary>Self-attention ("self": query, key, value) and its residual output ("output": dense, LayerNorm).</summary>
public sealed class BertAttention : Module
{
    private readonly int _heads;

    public BertAttention(BertConfig config, SeededRandom random, ulong dropoutSeed)
    {
        _heads = config.Heads;
        Self = AddModule("self", new BertSelfAttention(config.Channels, random));
        Output = AddModule("output", new BertResidualOutput(config.Channels, config, random, dropoutSeed));
    }

    public BertSelfAttention Self { get; }

    public BertResidualOutput Output { get; }

    /// <summary>x is (B,T,C); returns LN(x + dense(softmax(q·kᵀ/√D)·v)).</summary>
    public Tensor Forward(Graph graph, Tensor x, AttentionMask mask)
    {
        // q|k|v (B,T,3C) for the fused attention kernel from one GEMM over the stacked weights (3C, C): copying the
        // weights is cheaper than three GEMMs and two copies of their outputs, and gradients still reach each.
        var weight = graph.Concat(graph.Concat(Self.Query.Weight, Self.Key.Weight, 0), Self.Value.Weight, 0);
        var bias = graph.Concat(graph.Concat(Self.Query.Bias!, Self.Key.Bias!, 0), Self.Value.Bias!, 0);
        var qkv = graph.Linear(x, weight, bias);
        return Output.Forward(graph, graph.Attention(qkv, _heads, mask), x);
    }
}

public sealed class BertSelfAttention : Module
{
    public BertSelfAttention(int channels, SeededRandom random)
    {
        Query = AddModule("query", new Linear(channels, channels, random));
        Key = AddModule("key", new Linear(channels, channels, random));
        Value = AddModule("value", new Linear(channels, channels, random));
    }

    public Linear Query { get; }

    public Linear Key { get; }

    public Linear Value { get; }
}

/// <summary>One linear layer under the name "dense".</summary>
public sealed class BertDense : Module
{
    public BertDense(int inFeatures, int outFeatures, SeededRandom random) =>
        Dense = AddModule("dense", new Linear(inFeatures, outFeatures, random));

    public Linear Dense { get; }
}

/// <summary>LN(residual + dropout(dense(x))): the end of both halves of a layer.</summary>
public sealed class BertResidualOutput : Module
{
    private readonly Dropout _dropout;

    public BertResidualOutput(int inFeatures, BertConfig config, SeededRandom random, ulong dropoutSeed)
    {
        Dense = AddModule("dense", new Linear(inFeatures, config.Channels, random));
        Norm = AddModule("LayerNorm", new LayerNorm(config.Channels, config.LayerNormEps));
        _dropout = AddModule("dropout", new Dropout(config.Dropout, dropoutSeed));
    }

    public Linear Dense { get; }

    public LayerNorm Norm { get; }

    /// <summary>x is (B,T,inFeatures), residual (B,T,C); returns (B,T,C).</summary>
    public Tensor Forward(Graph graph, Tensor x, Tensor residual) =>
        Norm.Forward(graph, graph.Add(residual, _dropout.Forward(graph, Dense.Forward(graph, x))));
}
