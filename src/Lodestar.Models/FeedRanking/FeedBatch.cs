// Feed sequences as the ranker's token ids. Row b of a batch is a member's impressions in time order, each a post
// token followed by its action token (post tokens alone without ActionTokens), right-padded to T; the targets are
// the post tokens whose actions are predicted, with their late-fused features and labels. In training every post
// token is a target: causal attention lets it see the impressions before it and never its own actions. In scoring,
// K candidates follow the history, all at the position just after it, each attending to the history and itself.
using Lodestar.Core;
using Lodestar.Kernels;

namespace Lodestar.Models.FeedRanking;

/// <summary>A member's impressions and, for those from <paramref name="FirstTarget"/> on, their fused features (n·F, row i for event i).</summary>
public sealed record FeedSequence(FeedEvent[] Events, float[] Features, int FirstTarget);

public sealed class FeedBatch
{
    /// <summary>Table row 0 of every token table: "not this kind of token" (and padding).</summary>
    public const int None = 0;

    private FeedBatch(int batch, int length, int targets, int features)
    {
        Batch = batch;
        Length = length;
        Posts = new int[batch * length];
        Formats = new int[batch * length];
        Topics = new int[batch * length];
        Authors = new int[batch * length];
        Actions = new int[batch * length];
        Lengths = new int[batch];
        TargetRows = new int[targets];
        Features = new float[targets * features];
        Labels = new float[targets * FeedTasks.Count];
    }

    /// <summary>Rows B.</summary>
    public int Batch { get; }

    /// <summary>Tokens T per row.</summary>
    public int Length { get; }

    /// <summary>(B·T) rows of the post-id, format, topic and author tables (0 on action tokens and padding).</summary>
    public int[] Posts { get; }

    public int[] Formats { get; }

    public int[] Topics { get; }

    public int[] Authors { get; }

    /// <summary>(B·T) rows of the action table: 1 + the action set on an action token, 0 elsewhere.</summary>
    public int[] Actions { get; }

    /// <summary>(B) real tokens in each row.</summary>
    public int[] Lengths { get; }

    /// <summary>(N) flat token rows b·T + t of the targets.</summary>
    public int[] TargetRows { get; }

    /// <summary>(N·F) fused features of each target.</summary>
    public float[] Features { get; }

    /// <summary>(N·6) 1 where the target's impression had the task's action (training only).</summary>
    public float[] Labels { get; }

    /// <summary>(T) rotary positions, or null for 0..T−1.</summary>
    public int[]? Positions { get; private init; }

    /// <summary>The candidate-isolating mask of multi-item scoring, or null for causal attention over each row's length.</summary>
    public BlockMask? Block { get; private init; }

    public int Targets => TargetRows.Length;

    public AttentionMask Mask => Block is null ? AttentionMask.ForKeyLengths(Lengths, causal: true) : AttentionMask.ForBlock(Block);

    /// <summary>
    /// Training batch: each sequence's last MaxHistory events (older ones cut), every post token from its FirstTarget
    /// on a target. Features are F = config.FusedFeatures per event (any, and unread, when late fusion is off). A pointwise model (not Sequential) reads each
    /// target alone, as a sequence of one.
    /// </summary>
    public static FeedBatch ForTraining(FeedRankerConfig config, IReadOnlyList<FeedSequence> sequences)
    {
        if (!config.Sequential)
        {
            sequences = [.. sequences.SelectMany(s => Enumerable.Range(s.FirstTarget, s.Events.Length - s.FirstTarget)
                .Select(i => new FeedSequence([s.Events[i]], s.Features.AsSpan(i * config.FusedFeatures, config.FusedFeatures).ToArray(), 0)))];
        }
        var features = config.FusedFeatures;
        var length = 0;
        var targets = 0;
        foreach (var sequence in sequences)
        {
            var (first, kept) = Window(config, sequence);
            length = Math.Max(length, TrainingTokens(config, kept));
            targets += sequence.Events.Length - Math.Max(first, sequence.FirstTarget);
            if (features > 0 && sequence.Features.Length != sequence.Events.Length * features)
            {
                throw new ArgumentException($"feed batch: {sequence.Events.Length} events need {sequence.Events.Length * features} features ({features} each), got {sequence.Features.Length}");
            }
        }
        var batch = new FeedBatch(sequences.Count, Math.Max(1, length), targets, features);
        var target = 0;
        for (var b = 0; b < sequences.Count; b++)
        {
            var sequence = sequences[b];
            var (first, _) = Window(config, sequence);
            var token = 0;
            for (var i = first; i < sequence.Events.Length; i++)
            {
                var row = (b * batch.Length) + token;
                batch.SetPost(config, row, sequence.Events[i].Post);
                if (i >= sequence.FirstTarget)
                {
                    batch.TargetRows[target] = row;
                    sequence.Features.AsSpan(i * features, features).CopyTo(batch.Features.AsSpan(target * features, features));
                    for (var task = 0; task < FeedTasks.Count; task++)
                    {
                        batch.Labels[(target * FeedTasks.Count) + task] = FeedTasks.Has(sequence.Events[i].Actions, task) ? 1f : 0f;
                    }
                    target++;
                }
                token++;
                if (config.ActionTokens && i < sequence.Events.Length - 1)
                {
                    batch.Actions[row + 1] = 1 + sequence.Events[i].Actions;
                    token++;
                }
            }
            batch.Lengths[b] = token;
        }
        return batch;
    }

    /// <summary>
    /// Multi-item scoring batch (B = 1): the history's last MaxHistory events (none for a pointwise model), then the K
    /// candidates, each at the position just after the history and attending to the history and itself only; features (K·F).
    /// </summary>
    public static FeedBatch ForScoring(FeedRankerConfig config, IReadOnlyList<FeedEvent> history, IReadOnlyList<RankedPost> candidates, ReadOnlySpan<float> features)
    {
        var count = candidates.Count;
        if (features.Length != count * config.FusedFeatures)
        {
            throw new ArgumentException($"feed scoring: {count} candidates need {count * config.FusedFeatures} features ({config.FusedFeatures} each), got {features.Length}");
        }
        var kept = config.Sequential ? Math.Min(history.Count, config.MaxHistory) : 0;
        var context = config.TokensOf(kept);
        var positions = new int[context + count];
        for (var t = 0; t < context; t++)
        {
            positions[t] = t;
        }
        positions.AsSpan(context).Fill(context);
        var batch = new FeedBatch(1, Math.Max(1, context + count), count, config.FusedFeatures)
        {
            Positions = positions.Length > 0 ? positions : null,
            Block = BlockMask.SharedContextWithIsolatedCandidates(context, [.. Enumerable.Repeat(1, count)], causalContext: true),
        };
        var token = 0;
        for (var i = history.Count - kept; i < history.Count; i++)
        {
            batch.SetPost(config, token++, history[i].Post);
            if (config.ActionTokens)
            {
                batch.Actions[token++] = 1 + history[i].Actions;
            }
        }
        for (var k = 0; k < count; k++)
        {
            batch.SetPost(config, token, candidates[k]);
            batch.TargetRows[k] = token++;
        }
        features.CopyTo(batch.Features);
        batch.Lengths[0] = token;
        return batch;
    }

    /// <summary>Tokens of a training row of <paramref name="events"/> impressions: the last one's action token is left out, as no target comes after it.</summary>
    private static int TrainingTokens(FeedRankerConfig config, int events) => config.ActionTokens ? Math.Max(0, (2 * events) - 1) : events;

    /// <summary>The first event kept (the last MaxHistory) and how many are kept.</summary>
    private static (int First, int Kept) Window(FeedRankerConfig config, FeedSequence sequence)
    {
        var kept = Math.Min(sequence.Events.Length, config.MaxHistory);
        return (sequence.Events.Length - kept, kept);
    }

    private void SetPost(FeedRankerConfig config, int row, RankedPost post)
    {
        if (post.Format < 0 || post.Format >= config.Formats)
        {
            throw new ArgumentException($"post {post.Id}: format {post.Format} is outside the model's {config.Formats} formats");
        }
        Posts[row] = 1 + Bucket(post.Id, config.PostBuckets, PostSalt);
        Formats[row] = 1 + post.Format;
        Topics[row] = 1 + Bucket(TopicKey(post.Topic), config.TopicBuckets, TopicSalt);
        Authors[row] = 1 + Bucket(post.Author, config.AuthorBuckets, AuthorSalt);
    }

    private const ulong PostSalt = 0x706F7374UL;
    private const ulong TopicSalt = 0x746F706963UL;
    private const ulong AuthorSalt = 0x617574686F72UL;

    /// <summary>Row of a hashed id in a table of <paramref name="buckets"/> rows: the same on every machine and run.</summary>
    private static int Bucket(long id, int buckets, ulong salt) => (int)(SeededRandom.Mix(salt, (ulong)id) % (ulong)buckets);

    /// <summary>FNV-1a of the topic's UTF-16 code units: a stable key for its bucket.</summary>
    private static long TopicKey(string topic)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in topic)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return (long)hash;
    }
}
