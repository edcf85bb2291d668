// An exact index that survives a crash: a snapshot (index.lsix) plus the log of every change since
// (index.log) in one folder. A change is flushed to the log before it is applied and acknowledged, so after a
// kill at any moment reopening replays every acknowledged change. Checkpoint writes a new snapshot atomically
// and empties the log. One writer per folder: the log is held exclusively while the index is open.
using System.Buffers;

namespace Lodestar.Index;

public sealed class DurableIndex : IDisposable
{
    public const string SnapshotFile = "index.lsix";
    public const string LogFile = "index.log";

    /// <summary>Share of deleted rows at which a delete starts a compaction in the background.</summary>
    public const double CompactionThreshold = 0.25;

    private readonly IndexLog _log;
    private readonly Lock _writer = new();
    private Task _compaction = Task.CompletedTask;

    private DurableIndex(string directory, FlatIndex index, IndexLog log)
    {
        Directory = directory;
        Index = index;
        _log = log;
    }

    public string Directory { get; }

    /// <summary>The searchable index; change it only through this object so every change is logged.</summary>
    public FlatIndex Index { get; }

    /// <summary>Bytes of changes since the last snapshot.</summary>
    public long LogBytes => _log.Length;

    /// <summary>
    /// Opens the index in <paramref name="directory"/> (creating it with <paramref name="dimension"/> when empty):
    /// loads the snapshot, replays the log. A snapshot of another dimension is refused.
    /// </summary>
    public static DurableIndex Open(string directory, int dimension)
    {
        System.IO.Directory.CreateDirectory(directory);
        var snapshot = Path.Combine(directory, SnapshotFile);
        var index = File.Exists(snapshot) ? FlatIndex.Load(snapshot) : new FlatIndex(dimension);
        if (index.Dimension != dimension)
        {
            throw new InvalidDataException($"{snapshot}: the index has D = {index.Dimension}, opened for D = {dimension}");
        }
        var log = IndexLog.Open(Path.Combine(directory, LogFile), dimension, (op, id, createdAt, vector) =>
        {
            if (op == IndexLog.UpsertOp)
            {
                index.Upsert(id, vector, createdAt);
            }
            else
            {
                index.Delete(id);
            }
        });
        return new DurableIndex(directory, index, log);
    }

    /// <summary>Logs, then applies, a batch of upserts (see <see cref="FlatIndex.UpsertBatch"/>); durable when it returns.</summary>
    public void UpsertBatch(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors, ReadOnlySpan<long> createdAt)
    {
        // Every vector is checked before the batch is logged, so the log never holds one the index would refuse;
        // the norms found then are the ones applied.
        Index.CheckBatch(ids, vectors, createdAt);
        var norms = ArrayPool<float>.Shared.Rent(Math.Max(1, ids.Length));
        try
        {
            Index.Norms(ids, vectors, norms);
            lock (_writer)
            {
                _log.Append(IndexLog.UpsertOp, ids, createdAt, vectors);
                Index.Apply(ids, vectors, createdAt, norms);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(norms);
        }
    }

    public void Upsert(long id, ReadOnlySpan<float> vector, long createdAt = 0) => UpsertBatch([id], vector, [createdAt]);

    /// <summary>Logs, then applies, a delete; false when the id was not held (nothing is logged then).</summary>
    public bool Delete(long id)
    {
        lock (_writer)
        {
            if (!Index.Contains(id))
            {
                return false;
            }
            _log.Append(IndexLog.DeleteOp, [id], default, default);
            Index.Delete(id);
            if (_compaction.IsCompleted && Index.Rows > 0 && Index.Rows - Index.Count >= CompactionThreshold * Index.Rows)
            {
                // Compaction takes the index's write lock only while it moves rows; searches wait for it, never see it half done.
                _compaction = Task.Run(Index.Compact);
            }
            return true;
        }
    }

    /// <summary>Waits for a background compaction, if one is running.</summary>
    public void WaitForCompaction() => _compaction.GetAwaiter().GetResult();

    /// <summary>Writes a snapshot of the current items atomically, then empties the log.</summary>
    public void Checkpoint()
    {
        lock (_writer)
        {
            Index.Save(Path.Combine(Directory, SnapshotFile));
            _log.Truncate();
        }
    }

    public void Dispose()
    {
        WaitForCompaction();
        _log.Dispose();
    }
}
