// What a server of the scale-out deployment reads on each request, from the Redis keys the prompt worker and the
// embedding workers write: the same answers the SQLite reader gives for the same events applied (tested side by side).
using System.Text.Json;
using Lodestar.Data.Schema;
using Lodestar.Pipelines.Stages;
using Lodestar.Pipelines.Store;
using Lodestar.Text.Prompts;
using StackExchange.Redis;

namespace Lodestar.Pipelines.ScaleOut;

public sealed class RedisNearlineReader(IDatabase redis, RedisNames names) : INearlineReader
{
    public Member? Member(long id) =>
        redis.HashGet(names.Members, id) is { IsNull: false } body ? JsonSerializer.Deserialize((string)body!, DataJson.Compact.Member) : null;

    public IReadOnlyList<(long Id, string Headline)> Members(long after, int limit)
    {
        var ids = redis.SortedSetRangeByScore(names.MemberIds, after, double.PositiveInfinity, Exclude.Start, take: limit);
        if (ids.Length == 0)
        {
            return [];
        }
        var bodies = redis.HashGet(names.Members, ids);
        var page = new List<(long, string)>(ids.Length);
        for (var i = 0; i < ids.Length; i++)
        {
            if (bodies[i].IsNull)
            {
                continue;
            }
            var member = JsonSerializer.Deserialize((string)bodies[i]!, DataJson.Compact.Member)!;
            page.Add(((long)ids[i], member.Headline));
        }
        return page;
    }

    public IReadOnlyList<StoredPost> Posts(ReadOnlySpan<long> posts)
    {
        var fields = Values(posts);
        var bodies = redis.HashGet(names.Posts, fields);
        var deleted = redis.SetContains(names.DeletedPosts, fields);
        var stored = new List<StoredPost>(posts.Length);
        for (var i = 0; i < posts.Length; i++)
        {
            if (!bodies[i].IsNull)
            {
                stored.Add(new StoredPost(JsonSerializer.Deserialize((string)bodies[i]!, DataJson.Compact.Post)!, deleted[i]));
            }
        }
        return stored;
    }

    public PostStats[] Counts(ReadOnlySpan<long> posts)
    {
        var values = redis.HashGet(names.Counts, Values(posts));
        return [.. values.Select(v => v.IsNull ? PostStats.None : RedisPromptSink.ParseCounts(v!))];
    }

    public IReadOnlyList<SeenImpression> History(long member) => History(member, redis.ListRange(names.Seen(member)));

    public float[]? Embedding(EntityKind kind, long id) => Vector(redis.HashGet(names.Embedding(new EntityKey(kind, id)), "vector"));

    // The member's seen list and embedding in one script: one round trip. A missing vector is false, which Redis answers
    // as nil (a nil inside a Lua table would end it).
    private const string MemberViewScript = """
        return { redis.call('LRANGE', KEYS[1], 0, -1), redis.call('HGET', KEYS[2], 'vector') or false }
        """;

    public (IReadOnlyList<SeenImpression> History, float[]? Embedding) MemberView(long member)
    {
        var view = (RedisResult[])redis.ScriptEvaluate(MemberViewScript, [names.Seen(member), names.Embedding(new EntityKey(EntityKind.Member, member))])!;
        return (History(member, (RedisValue[])view[0]!), Vector((RedisValue)view[1]));
    }

    private static IReadOnlyList<SeenImpression> History(long member, RedisValue[] entries) =>
        SeenImpression.OldestFirst([.. entries.Select(v =>
        {
            var entry = RedisPromptSink.ParseHistory(member, v!);
            return SeenImpression.Stored(entry.Impression, entry.Time, entry.Post, entry.Actions);
        })]);

    private static float[]? Vector(RedisValue vector) => vector.IsNull ? null : NearlineStore.Vector((byte[])vector!);

    public StoredPrompt? Prompt(EntityKind kind, long id)
    {
        var key = new EntityKey(kind, id);
        var prompt = redis.HashGet(names.Prompt(key), ["version", "text", "tokens"]);
        if (prompt[0].IsNull)
        {
            return null;
        }
        var embedded = redis.HashGet(names.Embedding(key), "version");
        return new StoredPrompt((int)prompt[0], (string)prompt[1]!, NearlineStore.Tokens((byte[])prompt[2]!), embedded.IsNull ? 0 : (int)embedded);
    }

    public long LatestTime() => redis.StringGet(names.LatestTime) is { IsNull: false } time ? (long)time : 0;

    private static RedisValue[] Values(ReadOnlySpan<long> ids)
    {
        var values = new RedisValue[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            values[i] = ids[i];
        }
        return values;
    }

    /// <summary>The reader holds no connection of its own (the multiplexer is the caller's).</summary>
    public void Dispose()
    {
    }
}
