// Stage 3: post embeddings become searchable. Queued upserts and deletions are applied to the durable index in
// arrival order (the last word on a post wins), made durable there, and only then taken off the queue: a kill in
// between applies them again, which changes nothing, since an upsert of a post's current vector is idempotent.
using Lodestar.Index;
using Lodestar.Pipelines.Store;
using Microsoft.Data.Sqlite;

namespace Lodestar.Pipelines.Stages;

public sealed class IndexStage : IDisposable
{
    public const string Name = "index";

    /// <summary>
    /// Opens (creating when absent) a pipeline's durable index in <paramref name="directory"/> with a snapshot from its
    /// start, so readers beside the pipeline (<see cref="DurableIndex.OpenReadOnly"/>) can always open the folder.
    /// </summary>
    public static DurableIndex OpenIndex(string directory, int dimension)
    {
        var index = DurableIndex.Open(directory, dimension);
        if (!File.Exists(Path.Combine(index.Directory, DurableIndex.SnapshotFile)))
        {
            index.Checkpoint();
        }
        return index;
    }

    private readonly SqliteConnection _connection;
    private readonly DurableIndex _index;
    private readonly Freshness _freshness;

    public IndexStage(NearlineStore store, DurableIndex index, Freshness freshness)
    {
        _connection = store.Connect();
        _index = index;
        _freshness = freshness;
    }

    public StageCounters Counters { get; } = new();

    /// <summary>Upserts and deletions waiting in the queue.</summary>
    public long Pending => NearlineStore.Scalar(_connection, "SELECT COUNT(*) FROM index_queue");

    /// <summary>Applies up to <paramref name="maxBatch"/> queued operations; returns how many it took.</summary>
    public int RunOnce(int maxBatch)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = """
            SELECT q.seq, q.id, q.deleted, q.created, q.source_us, q.cause, e.vector
            FROM (SELECT * FROM index_queue ORDER BY seq LIMIT $limit) q
            LEFT JOIN embeddings e ON e.kind = 1 AND e.id = q.id
            ORDER BY q.seq
            """;
        command.Parameters.AddWithValue("$limit", maxBatch);
        var rows = new List<(long Seq, long Id, bool Deleted, long Created, long Source, string Cause, float[]? Vector)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                rows.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2) != 0, reader.GetInt64(3), reader.GetInt64(4), reader.GetString(5),
                    reader.IsDBNull(6) ? null : NearlineStore.Vector((byte[])reader[6])));
            }
        }
        if (rows.Count == 0)
        {
            return 0;
        }
        // The last operation on each post decides; a post without an embedding any more is removed.
        var last = new Dictionary<long, int>();
        for (var i = 0; i < rows.Count; i++)
        {
            last[rows[i].Id] = i;
        }
        var upserts = last.Values.Where(i => !rows[i].Deleted && rows[i].Vector is not null).Order().ToList();
        if (upserts.Count > 0)
        {
            var width = _index.Index.Dimension;
            var vectors = new float[upserts.Count * width];
            for (var j = 0; j < upserts.Count; j++)
            {
                rows[upserts[j]].Vector.AsSpan().CopyTo(vectors.AsSpan(j * width, width));
            }
            _index.UpsertBatch([.. upserts.Select(i => rows[i].Id)], vectors, [.. upserts.Select(i => rows[i].Created)]);
        }
        foreach (var i in last.Values.Where(i => rows[i].Deleted || rows[i].Vector is null))
        {
            _index.Delete(rows[i].Id);
        }
        using (var transaction = _connection.BeginTransaction())
        {
            NearlineStore.Execute(_connection, $"DELETE FROM index_queue WHERE seq <= {rows[^1].Seq}", transaction);
            transaction.Commit();
        }
        var now = NearlineStore.NowMicros();
        foreach (var row in rows)
        {
            _freshness.Record($"{row.Cause}/post", row.Source, now);
        }
        Counters.Applied += rows.Count;
        Counters.Changes += last.Count;
        Counters.Batches++;
        return rows.Count;
    }

    public void Dispose() => _connection.Dispose();
}
