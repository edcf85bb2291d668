// One process's share of the scale-out deployment: any of a prompt worker, embedding workers and an index replica, each
// on a thread of its own over one Redis connection. `lodestar nearline replay --redis` hosts all three kinds (or no
// embedding workers, when separate `lodestar nearline worker --stage embed` processes do that); a worker process
// hosts one kind.
using Lodestar.Features.Retrieval;
using Lodestar.Index;
using Lodestar.Pipelines.Embedded;
using Lodestar.Pipelines.Stages;
using Lodestar.Pipelines.Store;
using StackExchange.Redis;

namespace Lodestar.Pipelines.ScaleOut;

public sealed class RedisPipeline : INearlineDeployment, IDisposable
{
    private static readonly TimeSpan s_idle = TimeSpan.FromMilliseconds(2);

    private readonly IDatabase _redis;
    private readonly NearlineOptions _options;
    private readonly StageThreads _stages = new();
    private RedisEventLog? _events;

    public RedisPipeline(IDatabase redis, RedisNames names, NearlineOptions options)
    {
        options.Validate();
        _redis = redis;
        Names = names;
        _options = options;
    }

    public RedisNames Names { get; }

    public long StoredPosition() => _redis.StringGet(Names.ReplayPosition) is { IsNull: false } value ? (long)value : 0;

    public void Append(IReadOnlyList<(string Id, string Line)> events, long position, CancellationToken cancel) =>
        EventLog.Append(events, cancel, position);

    public long? TryAppend(IReadOnlyList<(string Id, string Line)> events) => EventLog.TryAppend(events);

    // Made on the first append (a worker process never appends); servers append from many request threads at once.
    private RedisEventLog EventLog => LazyInitializer.EnsureInitialized(ref _events, () => new RedisEventLog(_redis, Names, _options.EventQueueCapacity));

    public INearlineReader OpenReader() => new RedisNearlineReader(_redis, Names);

    public bool Shared => true;

    public FlatIndex SearchIndex => (Replica ?? throw new InvalidOperationException("this process runs no index replica to search")).Index.Index;

    public (long Events, long Changes, long Index) QueueDepths() => Backlog();

    public RedisPromptWorker? Prompts { get; private set; }

    public List<RedisEmbedWorker> Embedders { get; } = [];

    public RedisIndexReplica? Replica { get; private set; }

    /// <summary>Starts a prompt worker (standing by while another holds the lease).</summary>
    public void StartPrompts(RetrievalPrompts prompts, Text.Prompts.HistoryMode mode, string consumer, TimeSpan lease)
    {
        var worker = Prompts = new RedisPromptWorker(_redis, Names, prompts, mode, consumer, lease, _options.ChangeQueueCapacity);
        Start($"prompts {consumer}", worker.Counters, () => worker.RunOnce(_options.EventBatch));
    }

    /// <summary>Starts an embedding worker in the group.</summary>
    public void StartEmbedder(PromptEmbedder embedder, string consumer, TimeSpan claimAfter)
    {
        var worker = new RedisEmbedWorker(_redis, Names, embedder, consumer, claimAfter);
        Embedders.Add(worker);
        var window = TimeSpan.FromMilliseconds(_options.WindowMilliseconds);
        Start($"embed {consumer}", worker.Counters, () => worker.RunOnce(_options.MaxEmbedBatch, window));
    }

    /// <summary>Starts this process's index replica.</summary>
    public void StartReplica(DurableIndex index, string replica)
    {
        var worker = Replica = new RedisIndexReplica(_redis, Names, index, replica);
        Start($"index {replica}", worker.Counters, () => worker.RunOnce(_options.IndexBatch));
    }

    /// <summary>Events, prompt changes and (for this replica) embeddings not yet processed.</summary>
    public (long Events, long Changes, long Index) Backlog() => (
        RedisStreams.Backlog(_redis, [Names.Events], RedisNames.PromptGroup),
        RedisStreams.Backlog(_redis, [.. RedisNames.Priorities.Select(Names.PromptChanges)], RedisNames.EmbedGroup),
        Replica?.Backlog ?? 0);

    /// <summary>Waits until every stream this deployment reads is empty of unprocessed entries.</summary>
    public void Drain(CancellationToken cancel = default)
    {
        while (Backlog() != (0, 0, 0))
        {
            ThrowIfFailed();
            cancel.ThrowIfCancellationRequested();
            Thread.Sleep(TimeSpan.FromMilliseconds(5));
        }
        ThrowIfFailed();
    }

    public void ThrowIfFailed() => _stages.ThrowIfFailed();

    // A worker's loop: a batch (its time counted as busy when it took something), or a short rest when there was nothing to take.
    private void Start(string name, StageCounters counters, Func<int> batch) => _stages.Start(name, stop =>
    {
        while (!stop.IsCancellationRequested)
        {
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            if (batch() == 0)
            {
                Thread.Sleep(s_idle);
                continue;
            }
            Interlocked.Add(ref counters.BusyTicks, System.Diagnostics.Stopwatch.GetTimestamp() - start);
        }
    });

    /// <summary>Freshness of this process's effects: member embeddings stored by its embedding workers, posts searchable in its replica.</summary>
    public IReadOnlyDictionary<string, FreshnessSummary> Freshness()
    {
        var merged = new Freshness();
        foreach (var source in Embedders.Select(e => e.Freshness).Append(Replica?.Freshness).OfType<Freshness>())
        {
            merged.Absorb(source);
        }
        return merged.Summary();
    }

    public void Dispose() => _stages.Dispose();
}
