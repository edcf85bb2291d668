// The feed ranker: a post token is the sum of its hashed id, format, topic and author embeddings, an action token
// the embedding of its action set; the interleaved sequence runs through causal pre-norm RoPE blocks; at each target
// post the hidden state is concatenated with its late-fused features (counts, affinities, recency: cheap beside the
// sequence, which they would otherwise lengthen) and a multi-gate mixture of DCNv2 experts gives six logits.
using Lodestar.Core;
using Lodestar.Nn;
using Lodestar.Tensors;

namespace Lodestar.Models.FeedRanking;

public sealed partial class FeedRankerModel : Module
{
    private readonly DcnNetwork[] _experts;

    public FeedRankerModel(FeedRankerConfig config, ulong seed)
    {
        config.Validate();
        Config = config;
        Seed = seed;
        var random = new SeededRandom(seed);
        var c = config.Channels;
        PostTable = AddModule("post_emb", new Embedding(config.PostBuckets + 1, c, random));
        FormatTable = AddModule("format_emb", new Embedding(config.Formats + 1, c, random));
        TopicTable = AddModule("topic_emb", new Embedding(config.TopicBuckets + 1, c, random));
        AuthorTable = AddModule("author_emb", new Embedding(config.AuthorBuckets + 1, c, random));
        ActionTable = AddModule("action_emb", new Embedding((1 << FeedTasks.Count) + 1, c, random));
        Blocks = AddModule("blocks", new TransformerStack(config.Stack(seed), random));
        FinalNorm = AddModule("ln_f", new LayerNorm(c));
        var fused = c + config.FusedFeatures;
        var mixture = config.Head == FeedHead.Mmoe;
        _experts = new DcnNetwork[mixture ? config.Experts : 1];
        for (var e = 0; e < _experts.Length; e++)
        {
            _experts[e] = AddModule($"expert{e}", new DcnNetwork(fused, config.CrossLayers, config.ExpertWidth, random));
        }
        // Row block t of the gates is task t's gate over the experts; row t of the towers is task t's tower.
        Gates = mixture ? AddModule("gates", new Linear(fused, FeedTasks.Count * config.Experts, random)) : null;
        Towers = AddModule("towers", new Linear(config.ExpertWidth, FeedTasks.Count, random));
    }

    public FeedRankerConfig Config { get; }

    public ulong Seed { get; }

    public Embedding PostTable { get; }

    public Embedding FormatTable { get; }

    public Embedding TopicTable { get; }

    public Embedding AuthorTable { get; }

    public Embedding ActionTable { get; }

    public TransformerStack Blocks { get; }

    public LayerNorm FinalNorm { get; }

    /// <summary>(6·E, Z): every task's softmax gate over the experts, in one layer (MMoE only).</summary>
    public Linear? Gates { get; }

    /// <summary>(6, W): every task's linear tower on its mixture (or, with the shared head, on the one network's output).</summary>
    public Linear Towers { get; }

    /// <summary>Logits (N, 6) of the batch's targets, in FeedTasks order.</summary>
    public Tensor Logits(Graph graph, FeedBatch batch)
    {
        var (b, t, c) = (batch.Batch, batch.Length, Config.Channels);
        // x (B,T,C) = post_emb + format_emb + topic_emb + author_emb + action_emb, row 0 of each table meaning "none".
        var x = PostTable.Forward(graph, batch.Posts, b, t);
        x = graph.Add(x, FormatTable.Forward(graph, batch.Formats, b, t));
        x = graph.Add(x, TopicTable.Forward(graph, batch.Topics, b, t));
        x = graph.Add(x, AuthorTable.Forward(graph, batch.Authors, b, t));
        if (Config.ActionTokens)
        {
            x = graph.Add(x, ActionTable.Forward(graph, batch.Actions, b, t));
        }
        x = FinalNorm.Forward(graph, Blocks.Forward(graph, x, batch.Mask, batch.Positions));
        var hidden = graph.IndexSelect(graph.Reshape(x, b * t, c), batch.TargetRows);
        // Late fusion: z (N, C + F) = [h | features].
        var z = Config.FusedFeatures > 0 ? graph.Concat(hidden, graph.Constant(batch.Features, [batch.Targets, Config.FusedFeatures]), 1) : hidden;
        return Head(graph, z);
    }

    /// <summary>Mean over targets and tasks of w_task·BCE(logit, label): weights (6) per task.</summary>
    public Tensor Loss(Graph graph, FeedBatch batch, ReadOnlySpan<float> taskWeights)
    {
        var logits = Logits(graph, batch);
        var weights = new float[batch.Labels.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = taskWeights[i % FeedTasks.Count];
        }
        var shape = new[] { batch.Targets, FeedTasks.Count };
        return graph.BceWithLogits(logits, graph.Constant(batch.Labels, shape), graph.Constant(weights, shape));
    }

    /// <summary>
    /// Probabilities (K·6, candidate k's tasks at k·6) of the candidates after one member's history, all in one pass:
    /// the history is encoded once and every candidate attends to it and to itself only. features is (K·F).
    /// </summary>
    public float[] Score(IReadOnlyList<FeedEvent> history, IReadOnlyList<RankedPost> candidates, ReadOnlySpan<float> features)
    {
        if (candidates.Count == 0)
        {
            return [];
        }
        using var lease = InferenceGraphs.Rent();
        var logits = Logits(lease.Graph, FeedBatch.ForScoring(Config, history, candidates, features)).Data;
        var probabilities = new float[logits.Length];
        for (var i = 0; i < probabilities.Length; i++)
        {
            probabilities[i] = 1f / (1f + MathF.Exp(-logits[i]));
        }
        return probabilities;
    }

    /// <summary>z (N, Z) → logits (N, 6): each task's gate mixes the experts' outputs, its tower reads the mixture.</summary>
    private Tensor Head(Graph graph, Tensor z)
    {
        if (Config.Head == FeedHead.Shared)
        {
            return Towers.Forward(graph, _experts[0].Forward(graph, z));
        }
        var (n, e, w) = (z.Dim(0), _experts.Length, Config.ExpertWidth);
        // experts (N, E, W): expert e's output in row block e of each impression.
        var experts = graph.Reshape(_experts[0].Forward(graph, z), n, 1, w);
        for (var i = 1; i < e; i++)
        {
            experts = graph.Concat(experts, graph.Reshape(_experts[i].Forward(graph, z), n, 1, w), 1);
        }
        // gates (N, 6, E) = softmax over the experts of each task's row; mixtures (N, 6, W) = gates · experts.
        var gates = graph.Softmax(graph.Reshape(Gates!.Forward(graph, z), n, FeedTasks.Count, e));
        var mixtures = graph.MatMul(gates, experts);
        // logit (N, 6): task t's tower row · its mixture + its bias.
        return graph.Add(graph.SumLastDim(graph.Mul(mixtures, Towers.Weight)), Towers.Bias!);
    }
}
