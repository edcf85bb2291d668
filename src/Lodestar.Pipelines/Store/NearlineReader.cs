// What a server reads from the nearline store on each request: a member's profile, history and embedding, a post and
// its counters, a prompt. Reads run on pooled connections of their own, so in WAL mode they never wait for the
// pipeline's writers and always see the last committed state.
using System.Collections.Concurrent;
using System.Text.Json;
using Lodestar.Data.Schema;
using Lodestar.Models.FeedRanking;
using Lodestar.Pipelines.Stages;
using Lodestar.Text.Prompts;
using Microsoft.Data.Sqlite;

namespace Lodestar.Pipelines.Store;

/// <summary>One impression of a member's history as the store holds it; <c>Actions</c> is a <see cref="FeedTasks"/> action set and
/// <c>Engaged</c> says whether any action but a skip was taken (the world's positives).</summary>
public readonly record struct SeenImpression(long Impression, long Time, long Post, int Actions, bool Engaged)
{
    /// <summary>An impression from its stored form, whose actions are the pipeline's <see cref="HistoryActions"/> bits.</summary>
    public static SeenImpression Stored(long impression, long time, long post, int storedActions) =>
        new(impression, time, post, HistoryActions.ToFeedTasks(storedActions), HistoryActions.IsPositive(storedActions));

    /// <summary>Orders a history oldest first (impressions of one second by id), as every reader answers it.</summary>
    public static List<SeenImpression> OldestFirst(List<SeenImpression> history)
    {
        history.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Impression.CompareTo(b.Impression));
        return history;
    }
}

/// <summary>A stored post and whether it was deleted.</summary>
public sealed record StoredPost(Post Post, bool Deleted);

/// <summary>A stored prompt: its version and text, and the version of the embedding stored for it (0: none yet).</summary>
public sealed record StoredPrompt(int Version, string Text, int[] Tokens, int EmbeddingVersion);

/// <summary>What a server reads of the nearline state on each request, from SQLite (<see cref="NearlineReader"/>) or Redis
/// (<see cref="ScaleOut.RedisNearlineReader"/>).</summary>
public interface INearlineReader : IDisposable
{
    Member? Member(long id);

    /// <summary>Up to <paramref name="limit"/> members with ids above <paramref name="after"/>, by id, with their headlines.</summary>
    IReadOnlyList<(long Id, string Headline)> Members(long after, int limit);

    StoredPost? Post(long id) => Posts([id]).FirstOrDefault();

    /// <summary>The stored posts among <paramref name="posts"/> (absent ids are left out).</summary>
    IReadOnlyList<StoredPost> Posts(ReadOnlySpan<long> posts);

    /// <summary>The post's counters now (none when it was never shown).</summary>
    PostStats Counts(long post) => Counts([post])[0];

    /// <summary>The counters of every post in <paramref name="posts"/>, in their order.</summary>
    PostStats[] Counts(ReadOnlySpan<long> posts);

    /// <summary>The member's listed impressions, oldest first.</summary>
    IReadOnlyList<SeenImpression> History(long member);

    /// <summary>The stored embedding (C) of a member or post, or null when none is stored yet.</summary>
    float[]? Embedding(EntityKind kind, long id);

    /// <summary>What a feed request reads of the member first, its history and embedding, together: one round trip
    /// where the store is remote.</summary>
    (IReadOnlyList<SeenImpression> History, float[]? Embedding) MemberView(long member) => (History(member), Embedding(EntityKind.Member, member));

    /// <summary>The current prompt of a member or post, or null when it has none (unknown, or a deleted post).</summary>
    StoredPrompt? Prompt(EntityKind kind, long id);

    /// <summary>The newest time (Unix seconds) of any stored impression or post: the world's clock as the store knows it.</summary>
    long LatestTime();
}

public sealed class NearlineReader : INearlineReader
{
    private readonly NearlineStore _store;
    private readonly ConcurrentBag<SqliteConnection> _idle = [];
    private readonly int _poolSize;
    private int _open;

    /// <param name="poolSize">Connections kept open for reuse; more are opened under load and closed when returned.</param>
    public NearlineReader(NearlineStore store, int poolSize = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(poolSize, 1);
        _store = store;
        _poolSize = poolSize;
    }

    public Member? Member(long id) =>
        Query("SELECT body FROM members WHERE id = $id", r => JsonSerializer.Deserialize(r.GetString(0), DataJson.Compact.Member), ("$id", id)).FirstOrDefault();

    /// <summary>Up to <paramref name="limit"/> members with ids above <paramref name="after"/>, by id, with their headlines.</summary>
    public IReadOnlyList<(long Id, string Headline)> Members(long after, int limit) =>
        Query("SELECT id, COALESCE(json_extract(body, '$.headline'), '') FROM members WHERE id > $after ORDER BY id LIMIT $limit",
            r => (r.GetInt64(0), r.GetString(1)), ("$after", after), ("$limit", limit));

    /// <summary>The counters of every post in <paramref name="posts"/>, in their order, read by one statement.</summary>
    public PostStats[] Counts(ReadOnlySpan<long> posts)
    {
        var byId = Query("SELECT id, impressions, clicks, likes, comments, shares, positives FROM post_counts WHERE id IN (SELECT value FROM json_each($ids))",
            r => (Id: r.GetInt64(0), Counts: new PostStats(r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6))),
            ("$ids", IdList(posts))).ToDictionary(row => row.Id, row => row.Counts);
        var result = new PostStats[posts.Length];
        for (var i = 0; i < posts.Length; i++)
        {
            result[i] = byId.GetValueOrDefault(posts[i]) ?? PostStats.None;
        }
        return result;
    }

    /// <summary>The stored posts among <paramref name="posts"/> (absent ids are left out), read by one statement.</summary>
    public IReadOnlyList<StoredPost> Posts(ReadOnlySpan<long> posts) =>
        Query("SELECT body, deleted FROM posts WHERE id IN (SELECT value FROM json_each($ids))",
            r => new StoredPost(JsonSerializer.Deserialize(r.GetString(0), DataJson.Compact.Post)!, r.GetInt64(1) != 0), ("$ids", IdList(posts)));

    /// <summary>Ids as the JSON array SQLite's json_each reads: one bound parameter for any number of ids.</summary>
    private static string IdList(ReadOnlySpan<long> ids)
    {
        var text = new System.Text.StringBuilder(ids.Length * 8).Append('[');
        for (var i = 0; i < ids.Length; i++)
        {
            text.Append(i == 0 ? "" : ",").Append(ids[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return text.Append(']').ToString();
    }

    /// <summary>Every impression the member was shown, oldest first.</summary>
    public IReadOnlyList<SeenImpression> History(long member)
    {
        return SeenImpression.OldestFirst(Query("SELECT impression, time, post, actions FROM history WHERE member = $id",
            r => SeenImpression.Stored(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), (int)r.GetInt64(3)), ("$id", member)));
    }

    /// <summary>The stored embedding (C) of a member or post, or null when none is stored yet.</summary>
    public float[]? Embedding(EntityKind kind, long id) =>
        Query("SELECT vector FROM embeddings WHERE kind = $kind AND id = $id", r => NearlineStore.Vector((byte[])r[0]), ("$kind", (int)kind), ("$id", id))
            .FirstOrDefault();

    /// <summary>The current prompt of a member or post, or null when it has none (unknown, or a deleted post).</summary>
    public StoredPrompt? Prompt(EntityKind kind, long id) =>
        Query("""
            SELECT p.version, p.text, p.tokens, COALESCE(e.version, 0) FROM prompts p
            LEFT JOIN embeddings e ON e.kind = p.kind AND e.id = p.id
            WHERE p.kind = $kind AND p.id = $id
            """, r => new StoredPrompt((int)r.GetInt64(0), r.GetString(1), NearlineStore.Tokens((byte[])r[2]), (int)r.GetInt64(3)), ("$kind", (int)kind), ("$id", id))
            .FirstOrDefault();

    /// <summary>The newest time (Unix seconds) of any stored impression or post: the world's clock as the store knows it.</summary>
    public long LatestTime() =>
        Query("""
            SELECT MAX((SELECT COALESCE(MAX(time), 0) FROM history), (SELECT COALESCE(MAX(json_extract(body, '$.time')), 0) FROM posts))
            """, r => r.GetInt64(0))[0];

    /// <summary>Every row of <paramref name="sql"/> with <paramref name="parameters"/> bound, read on a pooled connection.</summary>
    private List<T> Query<T>(string sql, Func<SqliteDataReader, T> read, params (string Name, object Value)[] parameters)
    {
        var connection = Rent();
        try
        {
            using var command = NearlineStore.Command(connection, sql, null, parameters);
            using var reader = command.ExecuteReader();
            var rows = new List<T>();
            while (reader.Read())
            {
                rows.Add(read(reader));
            }
            return rows;
        }
        finally
        {
            Return(connection);
        }
    }

    private SqliteConnection Rent()
    {
        if (_idle.TryTake(out var connection))
        {
            return connection;
        }
        Interlocked.Increment(ref _open);
        return _store.Connect();
    }

    private void Return(SqliteConnection connection)
    {
        if (Volatile.Read(ref _open) <= _poolSize)
        {
            _idle.Add(connection);
            return;
        }
        Interlocked.Decrement(ref _open);
        connection.Dispose();
    }

    public void Dispose()
    {
        while (_idle.TryTake(out var connection))
        {
            connection.Dispose();
        }
    }
}
