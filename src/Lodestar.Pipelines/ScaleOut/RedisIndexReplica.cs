// Stage 3 of the scale-out deployment, one per serving replica: each replica's index reads the embeddings stream
// through a consumer group of its own, so every replica sees every post. Upserts and deletions are applied in order
// (the last on a post wins), made durable in the replica's DurableIndex, and only then acknowledged; after a crash
// the replica reads its own unacknowledged entries again first, which changes nothing already applied.
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
        RedisStreams.EnsureGroup(redis, names.Embeddings, _group);
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
                var vector = NearlineStore.Vector((byte[])upserts[i]["vector"]!);
                if (vector.Length != width)
                {
                    throw new InvalidDataException($"{_names.Embeddings} entry {upserts[i].Id}: a vector of {vector.Length} floats for an index of width {width}");
                }
                vector.CopyTo(vectors.AsSpan(i * width, width));
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
}
