// Stage 1 of the scale-out deployment. Prompt workers share the event stream through one consumer group, but only the
// one holding the lease applies events (a member's events must be applied in order, by one writer of that member's
// state); the others stand by and take over when the lease expires, loading the state from Redis and claiming what the
// dead holder left pending. Each batch is one MULTI/EXEC transaction, guarded by the lease: the state, the ledger of
// applied ids, new prompt versions in the online store, their change entries for stage 2 and the acknowledgement of
// the events commit together, or not at all if the lease was lost meanwhile.
using System.Text.Json;
using Lodestar.Data.Schema;
using Lodestar.Features.Retrieval;
using Lodestar.Pipelines.Stages;
using Lodestar.Pipelines.Store;
using Lodestar.Text.Prompts;
using StackExchange.Redis;

namespace Lodestar.Pipelines.ScaleOut;

public sealed class RedisPromptWorker
{
    private const string RenewScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";

    private readonly IDatabase _redis;
    private readonly RedisNames _names;
    private readonly RetrievalPrompts _prompts;
    private readonly HistoryMode _mode;
    private readonly string _consumer;
    private NearlineState? _state;

    /// <param name="lease">How long the lease lasts unless renewed (each batch renews it); a standby takes over after it.</param>
    /// <param name="changeCapacity">Prompt changes waiting for stage 2 before this worker stops taking events (backpressure).</param>
    public RedisPromptWorker(IDatabase redis, RedisNames names, RetrievalPrompts prompts, HistoryMode mode, string consumer, TimeSpan lease, int changeCapacity = 8192)
    {
        _redis = redis;
        _names = names;
        _prompts = prompts;
        _mode = mode;
        _consumer = consumer;
        Lease = lease;
        ChangeCapacity = changeCapacity;
        RedisStreams.EnsureGroup(redis, names.Events, RedisNames.PromptGroup);
        foreach (var priority in RedisNames.Priorities)
        {
            RedisStreams.EnsureGroup(redis, names.PromptChanges(priority), RedisNames.EmbedGroup);
        }
    }

    public TimeSpan Lease { get; }

    public int ChangeCapacity { get; }

    public StageCounters Counters { get; } = new();

    /// <summary>Whether this worker holds the lease (and the state in memory).</summary>
    public bool Active => _state is not null;

    /// <summary>Times this worker lost the lease mid-batch (its batch was not committed).</summary>
    public long LeasesLost { get; private set; }

    /// <summary>Applies up to <paramref name="maxEvents"/> events if this worker holds (or can take) the lease; returns how many it committed.</summary>
    public int RunOnce(int maxEvents)
    {
        if (!HoldLease())
        {
            _state = null;
            return 0;
        }
        _state ??= LoadState();
        if (RedisStreams.Backlog(_redis, [.. RedisNames.Priorities.Select(_names.PromptChanges)], RedisNames.EmbedGroup) >= ChangeCapacity)
        {
            return 0;
        }
        // What a previous holder of the lease left unacknowledged comes first (anything pending is a dead holder's: only
        // the lease holder reads), then new events.
        var entries = RedisStreams.Claim(_redis, _names.Events, RedisNames.PromptGroup, _consumer, TimeSpan.Zero, maxEvents).ToList();
        if (entries.Count < maxEvents)
        {
            entries.AddRange(_redis.StreamReadGroup(_names.Events, RedisNames.PromptGroup, _consumer, StreamPosition.NewMessages, maxEvents - entries.Count));
        }
        if (entries.Count == 0)
        {
            return 0;
        }
        var ids = entries.Select(e => e["id"]).ToArray();
        var known = _redis.SetContains(_names.Applied, ids);
        var transaction = _redis.CreateTransaction();
        transaction.AddCondition(Condition.StringEqual(_names.PromptLease, _consumer));
        var sink = new RedisPromptSink(transaction, _names, [.. ids.Where((_, i) => known[i]).Select(id => (string)id!)]);
        var counters = new StageCounters();
        PromptBatch.Apply(_state, _prompts, [.. entries.Select(e => ((string)e.Id!, (long)e["ingested_us"], (string)e["body"]!))], sink, counters);
        sink.RecordLatestTime();
        _ = transaction.StreamAcknowledgeAsync(_names.Events, RedisNames.PromptGroup, [.. entries.Select(e => e.Id)]);
        if (!transaction.Execute())
        {
            // The lease passed to another worker while this batch was computed: nothing of it was written, and the
            // state in memory has run ahead of Redis, so it is dropped and loaded again if the lease comes back.
            LeasesLost++;
            _state = null;
            return 0;
        }
        RedisStreams.TrimAcknowledged(_redis, _names.Events, RedisNames.PromptGroup);
        Counters.Applied += counters.Applied;
        Counters.Duplicates += counters.Duplicates;
        Counters.Rejected += counters.Rejected;
        Counters.Changes += counters.Changes;
        Counters.Batches++;
        return entries.Count;
    }

    /// <summary>The counters of a post as this pipeline holds them in Redis.</summary>
    public static PostStats? StoredCounts(IDatabase redis, RedisNames names, long post) =>
        redis.HashGet(names.Counts, post) is { IsNull: false } value ? RedisPromptSink.ParseCounts(value!) : null;

    private bool HoldLease()
    {
        var milliseconds = (long)Lease.TotalMilliseconds;
        return _redis.StringSet(_names.PromptLease, _consumer, Lease, When.NotExists)
            || (long)_redis.ScriptEvaluate(RenewScript, [_names.PromptLease], [_consumer, milliseconds]) == 1;
    }

    private NearlineState LoadState()
    {
        var history = new List<HistoryEntry>();
        foreach (var member in _redis.SetMembers(_names.HistoryMembers).Select(m => (long)m))
        {
            history.AddRange(_redis.ListRange(_names.History(member)).Select(v => RedisPromptSink.ParseHistory(member, v!)));
        }
        var deleted = _redis.SetMembers(_names.DeletedPosts).Select(v => (long)v).ToHashSet();
        return NearlineState.Build(
            _mode,
            _redis.HashValues(_names.Members).Select(v => (string)v!),
            _redis.HashGetAll(_names.Posts).Select(p => ((string)p.Value!, deleted.Contains((long)p.Name))),
            _redis.HashGetAll(_names.Counts).Select(p => ((long)p.Name, RedisPromptSink.ParseCounts(p.Value!))),
            history.OrderBy(h => h.Member).ThenBy(h => h.Time).ThenBy(h => h.Impression),
            _redis.HashGetAll(_names.PromptTexts).Select(p =>
            {
                var name = ((string)p.Name!).Split(':');
                var value = (string)p.Value!;
                var newline = value.IndexOf('\n', StringComparison.Ordinal);
                return (new EntityKey((EntityKind)int.Parse(name[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(name[1], System.Globalization.CultureInfo.InvariantCulture)),
                    int.Parse(value.AsSpan(0, newline), System.Globalization.CultureInfo.InvariantCulture), value[(newline + 1)..]);
            }));
    }
}

/// <summary>The prompt stage's writes queued in a Redis transaction.</summary>
internal sealed class RedisPromptSink(ITransaction transaction, RedisNames names, HashSet<string> applied) : IPromptSink
{
    private const int StreamCapacity = 100_000;

    public bool MarkApplied(string id)
    {
        if (!applied.Add(id))
        {
            return false;
        }
        _ = transaction.SetAddAsync(names.Applied, id);
        return true;
    }

    public void DeadLetter(string position, string line, string reason) =>
        _ = transaction.StreamAddAsync(names.DeadLetters, [new("event", position), new("body", line), new("reason", reason)], maxLength: StreamCapacity, useApproximateMaxLength: true);

    private long _latestTime = long.MinValue;

    public void Member(Member member)
    {
        _ = transaction.HashSetAsync(names.Members, member.Id, JsonSerializer.Serialize(member, DataJson.Compact.Member));
        _ = transaction.SortedSetAddAsync(names.MemberIds, member.Id, member.Id);
    }

    public void Post(Post post, bool deleted)
    {
        _latestTime = Math.Max(_latestTime, post.Time);
        _ = transaction.HashSetAsync(names.Posts, post.Id, JsonSerializer.Serialize(post, DataJson.Compact.Post));
        if (deleted)
        {
            _ = transaction.SetAddAsync(names.DeletedPosts, post.Id);
        }
    }

    public void RemovePost(long post)
    {
        var key = new EntityKey(EntityKind.Post, post);
        _ = transaction.KeyDeleteAsync(names.Prompt(key));
        _ = transaction.HashDeleteAsync(names.PromptTexts, $"1:{post}");
        _ = transaction.KeyDeleteAsync(names.Embedding(key));
        _ = transaction.StreamAddAsync(names.Embeddings,
            [new("id", post), new("deleted", 1), new("version", 0), new("created", 0), new("source_us", NearlineStore.NowMicros()), new("cause", "post_deleted")],
            maxLength: StreamCapacity, useApproximateMaxLength: true);
    }

    public void Counts(long post, PostStats c) =>
        _ = transaction.HashSetAsync(names.Counts, post, $"{c.Impressions},{c.Clicks},{c.Likes},{c.Comments},{c.Shares},{c.Positives}");

    public void History(HistoryEntry e, bool listed)
    {
        _latestTime = Math.Max(_latestTime, e.Time);
        _ = transaction.ListRightPushAsync(names.Seen(e.Member), $"{e.Impression},{e.Time},{e.Post},{e.Actions}");
        if (!listed)
        {
            return;
        }
        _ = transaction.ListRightPushAsync(names.History(e.Member), $"{e.Impression},{e.Time},{e.Post},{e.Actions}");
        _ = transaction.ListTrimAsync(names.History(e.Member), -NearlineState.HistoryItemsKept, -1);
        _ = transaction.SetAddAsync(names.HistoryMembers, e.Member);
    }

    public void Prompt(EntityKey key, int version, long created, PromptTouch touch, string text, int[] tokens)
    {
        _ = transaction.HashSetAsync(names.Prompt(key), [new("version", version), new("text", text), new("tokens", NearlineStore.TokenBytes(tokens))]);
        _ = transaction.HashSetAsync(names.PromptTexts, $"{(int)key.Kind}:{key.Id}", $"{version}\n{text}");
        _ = transaction.StreamAddAsync(names.PromptChanges(StateWrites.Priority(key, touch.IsNew)),
            new PromptChangeMessage(key, version, created, touch.SourceMicros, touch.Cause, tokens).ToEntry(), maxLength: StreamCapacity, useApproximateMaxLength: true);
    }

    /// <summary>Raises the stored latest time to the newest post or impression of this batch.</summary>
    public void RecordLatestTime()
    {
        if (_latestTime != long.MinValue)
        {
            _ = transaction.ScriptEvaluateAsync(RaiseScript, [names.LatestTime], [_latestTime]);
        }
    }

    private const string RaiseScript = """
        local stored = tonumber(redis.call('GET', KEYS[1]) or '-1')
        if tonumber(ARGV[1]) > stored then redis.call('SET', KEYS[1], ARGV[1]) end
        return 1
        """;

    public static PostStats ParseCounts(string value)
    {
        var parts = value.Split(',');
        return new PostStats(long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(parts[4], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[5], System.Globalization.CultureInfo.InvariantCulture));
    }

    public static HistoryEntry ParseHistory(long member, string value)
    {
        var parts = value.Split(',');
        return new HistoryEntry(member, long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture));
    }
}
