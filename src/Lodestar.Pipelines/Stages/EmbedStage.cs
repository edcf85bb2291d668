// Stage 2: changed prompts become embeddings. A window's changes are taken new posts first, then new members, then by arrival; each
// entity is embedded once in its newest prompt version, in batches by the shared encoder; the embedding is stored
// with that version only if no newer one is there (a stale result never overwrites a newer one) and only while the
// prompt still exists (a post deleted meanwhile stays deleted). Post embeddings are queued for the index, members'
// stay in the store where serving reads them. The changes leave their queue in the same transaction.
using Lodestar.Features.Retrieval;
using Lodestar.Pipelines.Store;
using Microsoft.Data.Sqlite;

namespace Lodestar.Pipelines.Stages;

public sealed class EmbedStage : IDisposable
{
    public const string Name = "embeddings";

    private readonly SqliteConnection _connection;
    private readonly PromptEmbedder _embedder;
    private readonly Freshness _freshness;

    public EmbedStage(NearlineStore store, PromptEmbedder embedder, Freshness freshness)
    {
        _connection = store.Connect();
        _embedder = embedder;
        _freshness = freshness;
    }

    public StageCounters Counters { get; } = new();

    /// <summary>How many batches embedded each number of distinct entities (index = batch size).</summary>
    public long[] BatchSizes { get; } = new long[4097];

    /// <summary>Post embeddings the last <see cref="RunOnce"/> queued for the index.</summary>
    public int LastQueued { get; private set; }

    /// <summary>Changes waiting in the queue.</summary>
    public long Pending => NearlineStore.Scalar(_connection, "SELECT COUNT(*) FROM prompt_changes");

    /// <summary>Embeds up to <paramref name="maxBatch"/> queued changes in one transaction; returns how many changes it took.</summary>
    public int RunOnce(int maxBatch)
    {
        LastQueued = 0;
        var changes = ReadChanges(maxBatch);
        if (changes.Count == 0)
        {
            return 0;
        }
        // One embedding per entity, of the prompt version the store holds now (the newest).
        var entities = new List<Change>();
        var seen = new HashSet<EntityKey>();
        foreach (var change in changes)
        {
            if (seen.Add(change.Key))
            {
                entities.Add(change);
            }
        }
        var encoding = System.Diagnostics.Stopwatch.GetTimestamp();
        var vectors = _embedder.Embed([.. entities.Select(e => e.Tokens)]);
        Interlocked.Add(ref Counters.EncoderTicks, System.Diagnostics.Stopwatch.GetTimestamp() - encoding);
        var width = _embedder.Dimension;
        using var transaction = _connection.BeginTransaction();
        using var store = Command(transaction, """
            INSERT INTO embeddings(kind, id, version, vector)
            SELECT $kind, $id, $version, $vector WHERE EXISTS (SELECT 1 FROM prompts WHERE kind = $kind AND id = $id AND version >= $version)
            ON CONFLICT(kind, id) DO UPDATE SET version = excluded.version, vector = excluded.vector WHERE excluded.version > embeddings.version
            """, "$kind", "$id", "$version", "$vector");
        using var queue = Command(transaction, "INSERT INTO index_queue(id, deleted, created, source_us, cause) VALUES($id, 0, $created, $source, $cause)",
            "$id", "$created", "$source", "$cause");
        using var done = Command(transaction, "DELETE FROM prompt_changes WHERE seq = $seq", "$seq");
        var stored = new HashSet<EntityKey>();
        for (var i = 0; i < entities.Count; i++)
        {
            var e = entities[i];
            Bind(store, (int)e.Key.Kind, e.Key.Id, e.Version, NearlineStore.VectorBytes(vectors.AsSpan(i * width, width)));
            if (store.ExecuteNonQuery() == 1)
            {
                stored.Add(e.Key);
            }
        }
        foreach (var change in changes)
        {
            if (change.Key.Kind == EntityKind.Post && stored.Contains(change.Key))
            {
                Bind(queue, change.Key.Id, change.Created, change.SourceMicros, change.Cause);
                queue.ExecuteNonQuery();
                LastQueued++;
            }
            Bind(done, change.Seq);
            done.ExecuteNonQuery();
        }
        transaction.Commit();
        var now = NearlineStore.NowMicros();
        foreach (var change in changes.Where(c => c.Key.Kind == EntityKind.Member && stored.Contains(c.Key)))
        {
            _freshness.Record($"{change.Cause}/member", change.SourceMicros, now);
        }
        Counters.Applied += changes.Count;
        Counters.Changes += stored.Count;
        Counters.Batches++;
        Interlocked.Increment(ref BatchSizes[Math.Min(entities.Count, BatchSizes.Length - 1)]);
        return changes.Count;
    }

    private List<Change> ReadChanges(int maxBatch)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = """
            SELECT c.seq, c.kind, c.id, c.source_us, c.cause, p.version, p.created, p.tokens
            FROM (SELECT * FROM prompt_changes ORDER BY priority DESC, seq LIMIT $limit) c
            JOIN prompts p ON p.kind = c.kind AND p.id = c.id
            ORDER BY c.priority DESC, c.seq
            """;
        command.Parameters.AddWithValue("$limit", maxBatch);
        using var reader = command.ExecuteReader();
        var changes = new List<Change>();
        while (reader.Read())
        {
            changes.Add(new Change(reader.GetInt64(0), new EntityKey((EntityKind)reader.GetInt64(1), reader.GetInt64(2)), reader.GetInt64(3), reader.GetString(4),
                (int)reader.GetInt64(5), reader.GetInt64(6), NearlineStore.Tokens((byte[])reader[7])));
        }
        return changes;
    }

    private SqliteCommand Command(SqliteTransaction transaction, string sql, params string[] names)
    {
        var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        return command;
    }

    private static void Bind(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }
    }

    public void Dispose() => _connection.Dispose();

    private sealed record Change(long Seq, EntityKey Key, long SourceMicros, string Cause, int Version, long Created, int[] Tokens);
}
