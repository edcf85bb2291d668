// How the service answers: how many posts retrieval hands the ranker, how fresh they must be, how the six action
// probabilities combine into one rank score, and the bounds of a request. Validated once at start-up.
using Lodestar.Models.FeedRanking;

namespace Lodestar.Serving;

public sealed record ServingOptions
{
    /// <summary>Posts retrieved from the index per feed request and scored by the ranker in one pass (K).</summary>
    public int Retrieve { get; init; } = 500;

    /// <summary>Items a feed returns when the request names no limit.</summary>
    public int DefaultLimit { get; init; } = 20;

    /// <summary>The largest limit a request may ask for.</summary>
    public int MaxLimit { get; init; } = 100;

    /// <summary>Only posts created within this many days of the world's clock are retrieved (0: any age).</summary>
    public int FreshDays { get; init; } = 14;

    /// <summary>Impressions of a member's history the member endpoint lists, newest first.</summary>
    public int HistoryListed { get; init; } = 20;

    /// <summary>
    /// The value of each action in the rank score Σ weight·p(action), in <see cref="FeedTasks.Names"/> order (click,
    /// skip, long dwell, like, comment, share): active engagement counts more than passive, a skip counts against.
    /// </summary>
    public IReadOnlyList<float> TaskWeights { get; init; } = [1f, -1f, 1f, 2f, 3f, 3f];

    public ServingOptions Validate()
    {
        if (Retrieve < 1)
        {
            throw new ArgumentException($"retrieve: {Retrieve}; at least 1 post must be retrieved");
        }
        if (MaxLimit < 1 || MaxLimit > Retrieve)
        {
            throw new ArgumentException($"max_limit: {MaxLimit}; must be in [1, retrieve = {Retrieve}]");
        }
        if (DefaultLimit < 1 || DefaultLimit > MaxLimit)
        {
            throw new ArgumentException($"default_limit: {DefaultLimit}; must be in [1, max_limit = {MaxLimit}]");
        }
        if (FreshDays < 0)
        {
            throw new ArgumentException($"fresh_days: {FreshDays}; must be ≥ 0 (0: any age)");
        }
        if (HistoryListed < 0)
        {
            throw new ArgumentException($"history_listed: {HistoryListed}; must be ≥ 0");
        }
        if (TaskWeights.Count != FeedTasks.Count || TaskWeights.Any(w => !float.IsFinite(w)))
        {
            throw new ArgumentException($"task_weights: {TaskWeights.Count} values; one finite weight per action ({string.Join(", ", FeedTasks.Names)}) is needed");
        }
        return this;
    }
}
