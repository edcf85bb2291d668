// Stage 2 of the scale-out deployment: any number of these, in separate processes, share the prompt-change streams
// through one consumer group. A worker gathers a window of changes (new posts first), embeds each entity once in its
// newest version among them, and in one Lua script (atomic on the server) stores each embedding in the online store
// only if it is newer than the one there and the prompt still exists, appends post embeddings to the stream the
// index replicas read, and acknowledges the changes: effect and acknowledgement happen together or not at all. A
// worker that dies holding changes leaves them pending; another claims them once they have idled ClaimAfter.
using Lodestar.Features.Retrieval;
using Lodestar.Pipelines.Stages;
using Lodestar.Pipelines.Store;
using StackExchange.Redis;

namespace Lodestar.Pipelines.ScaleOut;

public sealed class RedisEmbedWorker
{
    // ARGV: maxlen, count of entities, then 9 an entity (kind, id, version, vector, created, source_us, cause, prompt key,
    // embedding key), then the acknowledgements as (stream, id) pairs. KEYS[1]: the embeddings stream, KEYS[2]: the group.
    private const string CommitScript = """
        local maxlen = ARGV[1]
        local n = tonumber(ARGV[2])
        local stored = {}
        local i = 3
        for e = 1, n do
          local kind, id, version, vector, created, source, cause, promptKey, embeddingKey =
            ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], ARGV[i + 8]
          i = i + 9
          local prompt = tonumber(redis.call('HGET', promptKey, 'version') or '-1')
          local current = tonumber(redis.call('HGET', embeddingKey, 'version') or '-1')
          if prompt >= version and version > current then
            redis.call('HSET', embeddingKey, 'version', version, 'vector', vector)
            if kind == '1' then
              redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', 'id', id, 'deleted', '0', 'version', version, 'created', created,
                'source_us', source, 'cause', cause, 'vector', vector)
            end
            stored[#stored + 1] = kind .. ':' .. id
          end
        end
        while i < #ARGV do
          redis.call('XACK', ARGV[i], KEYS[2], ARGV[i + 1])
          i = i + 2
        end
        return stored
        """;

    private readonly IDatabase _redis;
    private readonly RedisNames _names;
    private readonly PromptEmbedder _embedder;
    private readonly string _consumer;

    /// <param name="consumer">This worker's name in the group (unique per process).</param>
    /// <param name="claimAfter">How long a change may stay unacknowledged with another worker before this one takes it over.</param>
    /// <param name="streamCapacity">Entries the embeddings stream keeps (approximately); replicas must stay within it.</param>
    public RedisEmbedWorker(IDatabase redis, RedisNames names, PromptEmbedder embedder, string consumer, TimeSpan claimAfter, int streamCapacity = 100_000)
    {
        _redis = redis;
        _names = names;
        _embedder = embedder;
        _consumer = consumer;
        ClaimAfter = claimAfter;
        StreamCapacity = streamCapacity;
        foreach (var priority in RedisNames.Priorities)
        {
            RedisStreams.EnsureGroup(redis, names.PromptChanges(priority), RedisNames.EmbedGroup);
        }
    }

    public TimeSpan ClaimAfter { get; }

    public int StreamCapacity { get; }

    public StageCounters Counters { get; } = new();

    public Freshness Freshness { get; } = new();

    /// <summary>Changes taken over from other workers.</summary>
    public long Claimed { get; private set; }

    /// <summary>
    /// Takes up to <paramref name="maxBatch"/> changes (first those another worker left idle past ClaimAfter, then new
    /// ones, highest priority first), waiting up to <paramref name="window"/> for a batch to fill once one change is in
    /// hand, embeds and commits them. Returns how many changes it took.
    /// </summary>
    public int RunOnce(int maxBatch, TimeSpan window)
    {
        var taken = new List<(RedisKey Stream, StreamEntry Entry)>();
        foreach (var priority in RedisNames.Priorities)
        {
            var stream = _names.PromptChanges(priority);
            foreach (var entry in RedisStreams.Claim(_redis, stream, RedisNames.EmbedGroup, _consumer, ClaimAfter, maxBatch - taken.Count))
            {
                taken.Add((stream, entry));
                Claimed++;
            }
        }
        var opened = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            foreach (var priority in RedisNames.Priorities)
            {
                if (taken.Count >= maxBatch)
                {
                    break;
                }
                var stream = _names.PromptChanges(priority);
                taken.AddRange(_redis.StreamReadGroup(stream, RedisNames.EmbedGroup, _consumer, StreamPosition.NewMessages, maxBatch - taken.Count).Select(e => (stream, e)));
            }
            if (taken.Count == 0 || taken.Count >= maxBatch || opened.Elapsed >= window)
            {
                break;
            }
            Thread.Sleep(TimeSpan.FromMilliseconds(Math.Min(5, Math.Max(1, (window - opened.Elapsed).TotalMilliseconds))));
        }
        if (taken.Count == 0)
        {
            return 0;
        }
        Commit(taken);
        return taken.Count;
    }

    private void Commit(List<(RedisKey Stream, StreamEntry Entry)> taken)
    {
        // One embedding per entity, of the newest version among the changes taken; its freshness is counted from the
        // earliest of them (a post created and then shown in one window became searchable for its creation).
        var changes = taken.Select(t => PromptChangeMessage.Read(t.Entry)).ToList();
        var newest = new Dictionary<EntityKey, PromptChangeMessage>();
        foreach (var change in changes)
        {
            if (!newest.TryGetValue(change.Key, out var seen))
            {
                newest[change.Key] = change;
                continue;
            }
            var earliest = change.SourceMicros < seen.SourceMicros ? change : seen;
            newest[change.Key] = (change.Version > seen.Version ? change : seen) with { SourceMicros = earliest.SourceMicros, Cause = earliest.Cause };
        }
        var entities = newest.Values.ToList();
        var encoding = System.Diagnostics.Stopwatch.GetTimestamp();
        var vectors = _embedder.Embed([.. entities.Select(e => e.Tokens)]);
        Interlocked.Add(ref Counters.EncoderTicks, System.Diagnostics.Stopwatch.GetTimestamp() - encoding);
        var width = _embedder.Dimension;
        var arguments = new List<RedisValue> { StreamCapacity, entities.Count };
        for (var i = 0; i < entities.Count; i++)
        {
            var e = entities[i];
            arguments.AddRange([(int)e.Key.Kind, e.Key.Id, e.Version, NearlineStore.VectorBytes(vectors.AsSpan(i * width, width)), e.Created, e.SourceMicros, e.Cause,
                (string)_names.Prompt(e.Key)!, (string)_names.Embedding(e.Key)!]);
        }
        foreach (var (stream, entry) in taken)
        {
            arguments.Add((string)stream!);
            arguments.Add(entry.Id);
        }
        var stored = (RedisResult[])_redis.ScriptEvaluate(CommitScript, [_names.Embeddings, RedisNames.EmbedGroup], [.. arguments])!;
        foreach (var stream in taken.Select(t => t.Stream).Distinct())
        {
            RedisStreams.TrimAcknowledged(_redis, stream, RedisNames.EmbedGroup);
        }
        var now = NearlineStore.NowMicros();
        var storedKeys = stored.Select(s => (string)s!).ToHashSet(StringComparer.Ordinal);
        foreach (var change in changes.Where(c => c.Key.Kind == EntityKind.Member && storedKeys.Contains($"0:{c.Key.Id}")))
        {
            Freshness.Record($"{change.Cause}/member", change.SourceMicros, now);
        }
        Counters.Applied += taken.Count;
        Counters.Changes += stored.Length;
        Counters.Batches++;
    }
}
