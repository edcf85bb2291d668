// The embedded deployment: one process, the three stages on threads of their own, each reading its input from the
// SQLite store and committing its effect and the advance of its input together; the queues between them are tables
// bounded by backpressure (a stage waits while the next one's queue is full). Opened on a directory again after a
// kill, every stage resumes from its last commit and the index from its snapshot and log.
using Lodestar.Features.Retrieval;
using Lodestar.Index;
using Lodestar.Pipelines.Stages;
using Lodestar.Pipelines.Store;
using Lodestar.Text.Prompts;

namespace Lodestar.Pipelines.Embedded;

public sealed class EmbeddedPipeline : INearlineDeployment, IDisposable
{
    /// <summary>The folder under the pipeline's directory that holds the durable index of post embeddings.</summary>
    public const string IndexFolder = "index";

    private static readonly TimeSpan s_idle = TimeSpan.FromMilliseconds(2);

    private readonly NearlineOptions _options;
    private readonly EventLog _log;
    private readonly PromptStage _prompts;
    private readonly EmbedStage _embed;
    private readonly IndexStage _index;
    private readonly StageThreads _stages = new();
    private readonly SemaphoreSlim _eventsArrived = new(0);
    private readonly SemaphoreSlim _changesArrived = new(0);
    private readonly SemaphoreSlim _indexArrived = new(0);
    private readonly Lock _appendLock = new();
    private long _appended;
    private long _changesPending;
    private long _indexPending;

    private EmbeddedPipeline(string directory, NearlineStore store, DurableIndex index, RetrievalPrompts prompts, HistoryMode history,
        PromptEmbedder embedder, NearlineOptions options)
    {
        Directory = directory;
        Store = store;
        Index = index;
        _options = options;
        _log = new EventLog(store);
        _prompts = new PromptStage(store, prompts, history);
        _embed = new EmbedStage(store, embedder, Freshness);
        _index = new IndexStage(store, index, Freshness);
        _appended = _log.LastSeq;
        _changesPending = _embed.Pending;
        _indexPending = _index.Pending;
    }

    public string Directory { get; }

    public NearlineStore Store { get; }

    /// <summary>The post index serving would search.</summary>
    public DurableIndex Index { get; }

    public Freshness Freshness { get; } = new();

    public INearlineReader OpenReader() => new NearlineReader(Store);

    public FlatIndex SearchIndex => Index.Index;

    public bool Shared => false;

    /// <summary>Opens (or resumes) the pipeline in <paramref name="directory"/> with the encoder of a feed-retrieval run.</summary>
    public static EmbeddedPipeline Open(string directory, RetrievalEncoder encoder, RetrievalPrompts prompts, NearlineOptions? options = null)
    {
        options ??= new NearlineOptions();
        options.Validate();
        var store = NearlineStore.Open(directory);
        var index = IndexStage.OpenIndex(Path.Combine(directory, IndexFolder), encoder.Model.Config.Channels);
        return new EmbeddedPipeline(directory, store, index, prompts, encoder.Settings.History, new PromptEmbedder(encoder.Model), options);
    }

    /// <summary>Starts the three stages; a stage that fails stops the pipeline and the failure is rethrown by the next call.</summary>
    public void Start()
    {
        StartStage(PromptStage.Name, RunPrompts);
        StartStage(EmbedStage.Name, RunEmbeddings);
        StartStage(IndexStage.Name, RunIndex);
    }

    /// <summary>The meta key holding how many events of a replayed stream have been appended.</summary>
    public const string PositionKey = "replay.position";

    public long StoredPosition()
    {
        using var connection = Store.Connect();
        return long.TryParse(NearlineStore.Meta(connection, PositionKey), out var position) ? position : 0;
    }

    public void Append(IReadOnlyList<(string Id, string Line)> events, long position, CancellationToken cancel) =>
        Append(events, PositionKey, position.ToString(System.Globalization.CultureInfo.InvariantCulture), cancel);

    public (long Events, long Changes, long Index) QueueDepths() =>
        (Volatile.Read(ref _appended) - _prompts.Cursor, Interlocked.Read(ref _changesPending), Interlocked.Read(ref _indexPending));

    IReadOnlyDictionary<string, FreshnessSummary> IReplayTarget.Freshness() => Freshness.Summary();

    /// <summary>Appends events (waiting while the prompt stage is more than a queue's capacity behind); returns the last seq.</summary>
    public long Append(IReadOnlyList<(string Id, string Line)> events, string? metaKey = null, string? metaValue = null, CancellationToken cancel = default)
    {
        while (!HasRoomFor(events.Count))
        {
            ThrowIfFailed();
            cancel.ThrowIfCancellationRequested();
            Thread.Sleep(s_idle);
        }
        return AppendNow(events, metaKey, metaValue);
    }

    /// <summary>
    /// Appends the events durably when the prompt stage's queue has room for them now and returns the last seq; returns
    /// null, appending nothing, when it has not (a server sheds the request rather than wait).
    /// </summary>
    public long? TryAppend(IReadOnlyList<(string Id, string Line)> events)
    {
        ThrowIfFailed();
        return HasRoomFor(events.Count) ? AppendNow(events, null, null) : null;
    }

    private bool HasRoomFor(int count) => Volatile.Read(ref _appended) - _prompts.Cursor <= _options.EventQueueCapacity - count;

    private long AppendNow(IReadOnlyList<(string Id, string Line)> events, string? metaKey, string? metaValue)
    {
        // The log appends on one connection, and requests may append from several threads at once.
        lock (_appendLock)
        {
            var last = _log.Append(events, metaKey, metaValue);
            Volatile.Write(ref _appended, last);
            _eventsArrived.Release();
            return last;
        }
    }

    /// <summary>Waits until every appended event is applied and every queue is empty, as the store says (the in-memory
    /// depths that steer backpressure trail the commits by a moment).</summary>
    public void Drain(CancellationToken cancel = default)
    {
        using var connection = Store.Connect();
        while (true)
        {
            ThrowIfFailed();
            cancel.ThrowIfCancellationRequested();
            if (_prompts.Cursor >= Volatile.Read(ref _appended)
                && NearlineStore.Scalar(connection, """
                    SELECT (SELECT COALESCE(MAX(seq), 0) FROM events) - (SELECT COALESCE(MAX(seq), 0) FROM cursors WHERE stage = 'prompts')
                        + (SELECT COUNT(*) FROM prompt_changes) + (SELECT COUNT(*) FROM index_queue)
                    """) == 0)
            {
                return;
            }
            Thread.Sleep(s_idle);
        }
    }

    public NearlineStatus Status() => new(
        Volatile.Read(ref _appended),
        _prompts.Cursor,
        Interlocked.Read(ref _changesPending),
        Interlocked.Read(ref _indexPending),
        _prompts.Counters.Snapshot(),
        _embed.Counters.Snapshot(),
        _index.Counters.Snapshot(),
        BatchSizeSummary.Of(_embed.BatchSizes),
        Freshness.Summary());

    /// <summary>The pipeline's counters of a post (for checks against an uninterrupted run).</summary>
    public PostStats? CountsOf(long post) => _prompts.CountsOf(post);

    private void RunPrompts(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (Interlocked.Read(ref _changesPending) > _options.ChangeQueueCapacity - _options.EventBatch)
            {
                _changesArrived.Release();
                Thread.Sleep(s_idle);
                continue;
            }
            if (Timed(_prompts.Counters, () => _prompts.RunOnce(_options.EventBatch)) == 0)
            {
                _eventsArrived.Wait(10, stop);
                continue;
            }
            var index = _prompts.LastIndexOperations;
            Interlocked.Add(ref _changesPending, _prompts.LastChanges);
            Interlocked.Add(ref _indexPending, index);
            _changesArrived.Release();
            if (index > 0)
            {
                _indexArrived.Release();
            }
        }
    }

    private void RunEmbeddings(CancellationToken stop)
    {
        var window = TimeSpan.FromMilliseconds(_options.WindowMilliseconds);
        while (!stop.IsCancellationRequested)
        {
            if (Interlocked.Read(ref _changesPending) == 0)
            {
                _changesArrived.Wait(10, stop);
                continue;
            }
            // The window opens with the first pending change and closes when it has lasted its length or filled a batch.
            var opened = System.Diagnostics.Stopwatch.StartNew();
            while (window - opened.Elapsed is var left && left > TimeSpan.Zero && Interlocked.Read(ref _changesPending) < _options.MaxEmbedBatch)
            {
                _changesArrived.Wait(left, stop);
            }
            do
            {
                while (Interlocked.Read(ref _indexPending) > _options.IndexQueueCapacity - _options.MaxEmbedBatch && !stop.IsCancellationRequested)
                {
                    _indexArrived.Release();
                    Thread.Sleep(s_idle);
                }
                var taken = Timed(_embed.Counters, () => _embed.RunOnce(_options.MaxEmbedBatch));
                Interlocked.Add(ref _changesPending, -taken);
                Interlocked.Add(ref _indexPending, _embed.LastQueued);
                if (_embed.LastQueued > 0)
                {
                    _indexArrived.Release();
                }
                if (taken < _options.MaxEmbedBatch)
                {
                    break;
                }
            }
            while (!stop.IsCancellationRequested);
        }
    }

    private void RunIndex(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var taken = Timed(_index.Counters, () => _index.RunOnce(_options.IndexBatch));
            if (taken == 0)
            {
                _indexArrived.Wait(10, stop);
                continue;
            }
            Interlocked.Add(ref _indexPending, -taken);
        }
    }

    private static int Timed(StageCounters counters, Func<int> batch)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        var taken = batch();
        Interlocked.Add(ref counters.BusyTicks, System.Diagnostics.Stopwatch.GetTimestamp() - start);
        return taken;
    }

    private void StartStage(string name, Action<CancellationToken> body) => _stages.Start(name, body);

    /// <summary>Throws the failure of a stage, if one failed.</summary>
    public void ThrowIfFailed() => _stages.ThrowIfFailed();


    public void Dispose()
    {
        _stages.Dispose();
        _prompts.Dispose();
        _embed.Dispose();
        _index.Dispose();
        _log.Dispose();
        if (!_stages.Failed)
        {
            // A clean stop leaves the index as one snapshot with an empty log: the next start loads it without replaying.
            Index.Checkpoint();
        }
        Index.Dispose();
    }
}


/// <summary>Where the pipeline stands: events appended and applied, queue depths, each stage's counters, embedding batch sizes, freshness.</summary>
public sealed record NearlineStatus(long Appended, long Applied, long ChangesPending, long IndexPending, StageCounts Prompts, StageCounts Embeddings,
    StageCounts Index, BatchSizeSummary EmbedBatches, IReadOnlyDictionary<string, FreshnessSummary> Freshness);

/// <summary>Embedding batches: how many, mean, median and largest size (distinct prompts a batch).</summary>
public sealed record BatchSizeSummary(long Batches, double Mean, int Median, int Max)
{
    public static BatchSizeSummary Of(long[] histogram)
    {
        var counts = histogram.Select(c => Interlocked.Read(ref c)).ToArray();
        var batches = counts.Sum();
        if (batches == 0)
        {
            return new BatchSizeSummary(0, 0, 0, 0);
        }
        var (total, seen, median, max) = (0.0, 0L, -1, 0);
        for (var size = 0; size < counts.Length; size++)
        {
            total += (double)size * counts[size];
            seen += counts[size];
            if (median < 0 && seen * 2 >= batches)
            {
                median = size;
            }
            if (counts[size] > 0)
            {
                max = size;
            }
        }
        return new BatchSizeSummary(batches, total / batches, median, max);
    }
}
