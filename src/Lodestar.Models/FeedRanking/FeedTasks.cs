// The six actions the feed ranker predicts for an impression, in the order of its logits and of the bits of an
// action set: passive (click, skip, long dwell) and active (like, comment, share).
namespace Lodestar.Models.FeedRanking;

public static class FeedTasks
{
    public const int Count = 6;

    /// <summary>Task names in logit order, as metric targets (`auc/click`).</summary>
    public static IReadOnlyList<string> Names { get; } = ["click", "skip", "long-dwell", "like", "comment", "share"];

    /// <summary>
    /// The value of each action in a feed's rank score Σ weight·p(action), in <see cref="Names"/> order: active engagement
    /// counts more than passive, a skip counts against. The server's default, and what audits rank by.
    /// </summary>
    public static IReadOnlyList<float> ValueWeights { get; } = [1f, -1f, 1f, 2f, 3f, 3f];

    /// <summary>The action set of an impression: bit i set when task i's action was taken.</summary>
    public static int ActionSet(bool click, bool skip, bool longDwell, bool like, bool comment, bool share) =>
        (click ? 1 : 0) | (skip ? 2 : 0) | (longDwell ? 4 : 0) | (like ? 8 : 0) | (comment ? 16 : 0) | (share ? 32 : 0);

    /// <summary>Whether task <paramref name="task"/>'s action is in <paramref name="actions"/>.</summary>
    public static bool Has(int actions, int task) => (actions & (1 << task)) != 0;
}

/// <summary>
/// A post as the ranker reads it: its id, its format (0-based), its dominant topic and its author (members
/// positive, companies negative, 0 for none). Ids, topics and authors are hashed into the model's tables.
/// </summary>
public readonly record struct RankedPost(long Id, int Format, string Topic, long Author);

/// <summary>One impression of a member's history: the post shown and the action set taken (see FeedTasks).</summary>
public readonly record struct FeedEvent(RankedPost Post, int Actions);
