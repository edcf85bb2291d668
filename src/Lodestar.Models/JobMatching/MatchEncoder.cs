// The encoder every match model uses: token embeddings of width E, projected to the model width C when E < C
// (ALBERT's factorized embedding, Lan et al. 2020), learned positions, pre-norm blocks, a final norm,
// mean pooling over the real tokens and a linear head. E = C is the plain TransformerClassifier layout.
using Lodestar.Core;
using AttentionMask = Lodestar.Kernels.AttentionMask;
using BlockMask = Lodestar.Kernels.BlockMask;
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
    /// When the model isolates the member, memberLengths (B) gives each pair's member tokens, which see only each other.
    /// </summary>
    public Tensor Forward(Graph graph, int[] tokens, int batch, int length, byte[] keep, int[]? memberLengths = null)
    {
        if (length < 1 || length > Config.MaxTokens || tokens.Length != batch * length || keep.Length != batch * length)
        {
            throw new ArgumentException($"match encoder: {tokens.Length} tokens and {keep.Length} flags for batch {batch} × length {length} (MaxTokens {Config.MaxTokens})");
        }
        var mask = AttentionMask.ForKeyKeep(keep);
        if (Config.IsolatedMember)
        {
            if (memberLengths is null || memberLengths.Length != batch)
            {
                throw new ArgumentException($"match encoder: the model isolates the member's tokens and needs {batch} member lengths, got {memberLengths?.Length.ToString() ?? "none"}");
            }
            for (var b = 0; b < batch; b++)
            {
                if (memberLengths[b] < 1 || memberLengths[b] > length)
                {
                    throw new ArgumentException($"match encoder: pair {b} has {memberLengths[b]} member tokens, outside [1, {length}]: " +
                        "a model that isolates the member reads pairs rendered member first (member_first in the data config)");
                }
            }
            mask = AttentionMask.ForIsolatedPrefix(keep, memberLengths);
        }
        // x = proj(tok_emb[tokens]) + pos_emb[0:L]: (B,L,E) → (B,L,C), position rows repeating over the batch.
        var x = TokenEmbedding.Forward(graph, tokens, batch, length);
        if (EmbeddingProjection is not null)
        {
            x = EmbeddingProjection.Forward(graph, x);
        }
        x = graph.Add(x, length == Config.MaxTokens ? PositionEmbedding.Weight : graph.Slice(PositionEmbedding.Weight, 0, 0, length));
        // Real tokens attend to real keys only; the mask holds no state, so concurrent passes share the model safely.
        x = FinalNorm.Forward(graph, Blocks.Forward(graph, x, mask));
        return Head.Forward(graph, graph.MaskedMeanPool(x, keep));
    }

    /// <summary>
    /// Logits (N, outputs) of N jobs after one member, in one sequence [member | job 1 | … | job N]: positions restart at
    /// the member's length for every job, the member's tokens see only each other and each job sees the member and
    /// itself (a block mask), and a job's pooled row averages the member's rows and its own, as a lone pair's would.
    /// </summary>
    public Tensor ForwardCandidates(Graph graph, ReadOnlySpan<int> member, IReadOnlyList<int[]> jobs)
    {
        if (!Config.IsolatedMember)
        {
            throw new InvalidOperationException("match encoder: scoring many jobs in one pass needs a model that isolates the member (isolated_member): " +
                "otherwise each lone pair's member tokens also attend to its job and the scores differ");
        }
        if (graph.IsRecording)
        {
            throw new InvalidOperationException("match encoder: scoring many jobs in one pass is for inference graphs (recordGradients: false); train on pairs");
        }
        if (member.Length < 1 || jobs.Count < 1)
        {
            throw new ArgumentException($"match encoder: {member.Length} member tokens and {jobs.Count} jobs; both must be at least 1");
        }
        var total = member.Length;
        for (var i = 0; i < jobs.Count; i++)
        {
            if (jobs[i].Length < 1 || member.Length + jobs[i].Length > Config.MaxTokens)
            {
                throw new ArgumentException($"match encoder: job {i} has {jobs[i].Length} tokens; with the member's {member.Length} a pair must hold 1 to {Config.MaxTokens}");
            }
            total += jobs[i].Length;
        }
        var tokens = new int[total];
        var positions = new int[total];
        member.CopyTo(tokens);
        for (var t = 0; t < member.Length; t++)
        {
            positions[t] = t;
        }
        var lengths = new int[jobs.Count];
        var start = member.Length;
        for (var i = 0; i < jobs.Count; i++)
        {
            jobs[i].CopyTo(tokens, start);
            for (var t = 0; t < jobs[i].Length; t++)
            {
                positions[start + t] = member.Length + t;
            }
            lengths[i] = jobs[i].Length;
            start += jobs[i].Length;
        }
        var x = TokenEmbedding.Forward(graph, tokens, 1, total);
        if (EmbeddingProjection is not null)
        {
            x = EmbeddingProjection.Forward(graph, x);
        }
        x = graph.Add(x, PositionEmbedding.Forward(graph, positions, 1, total));
        var mask = AttentionMask.ForBlock(BlockMask.SharedContextWithIsolatedCandidates(member.Length, lengths, causalContext: false));
        var rows = FinalNorm.Forward(graph, Blocks.Forward(graph, x, mask)).Data;
        var pooled = PoolCandidates(rows, member.Length, lengths, Config.Channels);
        return Head.Forward(graph, graph.Constant(pooled, [jobs.Count, Config.Channels]));
    }

    // Job i's pooled row: the mean of the member's rows and job i's rows, summed in the order a lone pair's pooling sums them.
    private static float[] PoolCandidates(ReadOnlySpan<float> rows, int memberLength, int[] lengths, int channels)
    {
        var memberSum = new float[channels];
        for (var t = 0; t < memberLength; t++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(memberSum, rows.Slice(t * channels, channels), memberSum);
        }
        var pooled = new float[lengths.Length * channels];
        var row = memberLength;
        for (var i = 0; i < lengths.Length; i++)
        {
            var target = pooled.AsSpan(i * channels, channels);
            memberSum.CopyTo(target);
            for (var t = 0; t < lengths[i]; t++, row++)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(target, rows.Slice(row * channels, channels), target);
            }
            System.Numerics.Tensors.TensorPrimitives.Multiply(target, 1f / (memberLength + lengths[i]), target);
        }
        return pooled;
    }
}
