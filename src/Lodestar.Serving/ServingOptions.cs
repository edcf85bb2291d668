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

    /// <summary>Jobs the first stage hands the job-matching student per request, all scored in one pass.</summary>
    public int JobCandidates { get; init; } = 200;

    /// <summary>A job is open for this many days after it is posted (0: open for ever).</summary>
    public int JobOpenDays { get; init; } = 30;

    /// <summary>Impressions of a member's history the member endpoint lists, newest first.</summary>
    public int HistoryListed { get; init; } = 20;

    /// <summary>The value of each action in the rank score Σ weight·p(action), in <see cref="FeedTasks.Names"/> order.</summary>
    public IReadOnlyList<float> TaskWeights { get; init; } = FeedTasks.ValueWeights;

    /// <summary>Requests computed at once; more wait in the queue (default: one per core, as each is CPU-bound).</summary>
    public int MaxConcurrentRequests { get; init; } = Environment.ProcessorCount;

    /// <summary>Requests that may wait for a slot; one more is shed at once with 429 and Retry-After.</summary>
    public int QueuedRequests { get; init; } = 16;

    /// <summary>
    /// A request that waited longer than this for its slot is answered 503 without being computed. Just above the feed's
    /// 50 ms p99 budget, so an admitted request's whole time stays within twice the budget however long the queue.
    /// </summary>
    public int DeadlineMilliseconds { get; init; } = 60;

    /// <summary>
    /// The jobs endpoint's own deadline: scoring a member's job candidates takes about five times a feed's time (p99 near
    /// 100 ms), so a jobs request is worth waiting for longer than the feed's deadline allows.
    /// </summary>
    public int JobsDeadlineMilliseconds { get; init; } = 200;

    /// <summary>The largest request body accepted (an event batch); a larger one is refused with 400.</summary>
    public int MaxBodyBytes { get; init; } = 1 << 20;

    /// <summary>The most events one POST /v1/events may carry.</summary>
    public int MaxEventsPerRequest { get; init; } = 1000;

    /// <summary>The key the admin endpoints (reload, drain) require in the X-Api-Key header; null disables them.</summary>
    public string? AdminKey { get; init; }

    /// <summary>How long a drain waits for the requests in flight to finish.</summary>
    public int DrainTimeoutSeconds { get; init; } = 30;

    /// <summary>The options as reports show them: the admin key is never written out.</summary>
    public override string ToString() => $"retrieve {Retrieve}, job candidates {JobCandidates} (open {JobOpenDays} d), limit {DefaultLimit} (max {MaxLimit}), fresh {FreshDays} d, slots {MaxConcurrentRequests} + queue {QueuedRequests}, deadline {DeadlineMilliseconds} ms (jobs {JobsDeadlineMilliseconds} ms)";

    public ServingOptions Validate()
    {
        if (AdminKey is { Length: < 16 })
        {
            throw new ArgumentException("admin_key: shorter than 16 characters; use a long random key");
        }
        if (MaxConcurrentRequests < 1 || QueuedRequests < 0)
        {
            throw new ArgumentException($"max_concurrent_requests: {MaxConcurrentRequests}, queued_requests: {QueuedRequests}; at least 1 running and 0 queued");
        }
        if (DeadlineMilliseconds < 1 || JobsDeadlineMilliseconds < 1)
        {
            throw new ArgumentException($"deadline_milliseconds: {DeadlineMilliseconds}, jobs_deadline_milliseconds: {JobsDeadlineMilliseconds}; each must be at least 1");
        }
        if (MaxBodyBytes < 1024 || MaxEventsPerRequest < 1)
        {
            throw new ArgumentException($"max_body_bytes: {MaxBodyBytes}, max_events_per_request: {MaxEventsPerRequest}; at least 1024 bytes and 1 event");
        }
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
        if (JobCandidates < 1 || JobOpenDays < 0)
        {
            throw new ArgumentException($"job_candidates: {JobCandidates}, job_open_days: {JobOpenDays}; at least 1 candidate, open days ≥ 0 (0: for ever)");
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
