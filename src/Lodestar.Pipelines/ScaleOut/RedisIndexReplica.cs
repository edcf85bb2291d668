// Stage 3 of the scale-out deployment, one per serving replica: each replica's index reads the embeddings stream
// through a consumer group of its own, so every replica sees every post. Upserts and deletions are applied in order
// (the last on a post wins), made durable in the replica's DurableIndex, and only then acknowledged; after a crash
// the replica reads its own unacknowledged entries again first, which changes nothing already applied. A replica that
// joins late starts from the stored embeddings (Bootstrap).
using Lodestar.Index;
using Lodestar.Pipelines.Stages;
using Lodestar.Pipelines.Store;
using StackExchange.Redis;

namespace Lodestar.Pipelines.ScaleOut;

public sealed class RedisIndexReplica
{
    private readonly IDatabase _redis;
    private readonly RedisNames _names;
    private readonly DurableIndex _index;
    private readonly string _group;

    public RedisIndexReplica(IDatabase redis, RedisNames names, DurableIndex index, string replica)
    {
        _redis = redis;
        _names = names;
        _index = index;
        Replica = replica;
        _group = RedisNames.IndexGroup(replica);
        if (!redis.KeyExists(names.Embeddings) || redis.StreamGroupInfo(names.Embeddings).All(g => g.Name != _group))
        {
            Bootstrap();
        }
    }

    /// <summary>Posts a new replica took from the stored embeddings rather than from the stream.</summary>
    public long Bootstrapped { get; private set; }

    /// <summary>
    /// A replica that joins late cannot read the stream from its start (the stream is capped, so its oldest entries are
    /// gone). It makes its group at the stream's newest entry, then takes every live post's stored embedding: one written
    /// before that entry is in its hash (an embedding and its stream entry are written by one script, as a deletion drops
    /// the hash with its entry), and one written after it, or a deletion, reaches the replica through the stream.
    /// </summary>
    private void Bootstrap()
    {
        var newest = _redis.StreamRange(_names.Embeddings, "-", "+", count: 1, messageOrder: Order.Descending);
        try
        {
            _redis.StreamCreateConsumerGroup(_names.Embeddings, _group, newest.Length == 0 ? StreamPosition.Beginning : newest[0].Id, createStream: true);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            return;
        }
        var deleted = _redis.SetMembers(_names.DeletedPosts).Select(v => (long)v).ToHashSet();
        foreach (var chunk in _redis.HashScan(_names.Posts, pageSize: 1000).Chunk(1000))
        {
            var posts = chunk.Where(p => !deleted.Contains((long)p.Name))
                .Select(p => (Id: (long)p.Name, Time: System.Text.Json.JsonSerializer.Deserialize((string)p.Value!, Data.Schema.DataJson.Compact.Post)!.Time)).ToList();
            var batch = _redis.CreateBatch();
            var reads = posts.Select(p => batch.HashGetAsync(_names.Embedding(new EntityKey(EntityKind.Post, p.Id)), "vector")).ToList();
            batch.Execute();
            var ids = new List<long>();
            var created = new List<long>();
            var vectors = new List<float>();
            for (var i = 0; i < posts.Count; i++)
            {
                if (reads[i].Result is not { IsNull: false } stored)
                {
                    continue;
                }
                ids.Add(posts[i].Id);
                created.Add(posts[i].Time);
                vectors.AddRange(Vector((byte[])stored!, $"{_names.Embedding(new EntityKey(EntityKind.Post, posts[i].Id))}"));
            }
            if (ids.Count > 0)
            {
                _index.UpsertBatch([.. ids], [.. vectors], [.. created]);
                Bootstrapped += ids.Count;
            }
        }
    }

    public string Replica { get; }

    /// <summary>The index this replica keeps.</summary>
    public DurableIndex Index => _index;

    public StageCounters Counters { get; } = new();

    public Freshness Freshness { get; } = new();

    /// <summary>Entries of the embeddings stream this replica has not applied yet.</summary>
    public long Backlog => RedisStreams.Backlog(_redis, [_names.Embeddings], _group);

    /// <summary>Applies up to <paramref name="maxBatch"/> entries (its own unacknowledged ones first); returns how many.</summary>
    public int RunOnce(int maxBatch)
    {
        var entries = _redis.StreamReadGroup(_names.Embeddings, _group, Replica, "0-0", maxBatch).ToList();
        if (entries.Count < maxBatch)
        {
            entries.AddRange(_redis.StreamReadGroup(_names.Embeddings, _group, Replica, StreamPosition.NewMessages, maxBatch - entries.Count));
        }
        if (entries.Count == 0)
        {
            return 0;
        }
        var last = new Dictionary<long, StreamEntry>();
        foreach (var entry in entries)
        {
            last[(long)entry["id"]] = entry;
        }
        var upserts = last.Values.Where(e => (int)e["deleted"] == 0).ToList();
        if (upserts.Count > 0)
        {
            var width = _index.Index.Dimension;
            var vectors = new float[upserts.Count * width];
            for (var i = 0; i < upserts.Count; i++)
            {
                Vector((byte[])upserts[i]["vector"]!, $"{_names.Embeddings} entry {upserts[i].Id}").CopyTo(vectors.AsSpan(i * width, width));
            }
            _index.UpsertBatch([.. upserts.Select(e => (long)e["id"])], vectors, [.. upserts.Select(e => (long)e["created"])]);
        }
        foreach (var deleted in last.Values.Where(e => (int)e["deleted"] != 0))
        {
            _index.Delete((long)deleted["id"]);
        }
        _redis.StreamAcknowledge(_names.Embeddings, _group, [.. entries.Select(e => e.Id)]);
        var now = NearlineStore.NowMicros();
        foreach (var entry in entries)
        {
            Freshness.Record($"{(string)entry["cause"]!}/post", (long)entry["source_us"], now);
        }
        Counters.Applied += entries.Count;
        Counters.Changes += last.Count;
        Counters.Batches++;
        return entries.Count;
    }

    /// <summary>A stored embedding's vector, refused (naming <paramref name="where"/>) unless it is as wide as the index.</summary>
    private float[] Vector(byte[] bytes, string where)
    {
        var vector = NearlineStore.Vector(bytes);
        var width = _index.Index.Dimension;
        return vector.Length == width ? vector : throw new InvalidDataException($"{where}: a vector of {vector.Length} floats for an index of width {width}");
    }
}
