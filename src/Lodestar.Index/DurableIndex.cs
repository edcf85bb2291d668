// An exact index that survives a crash: a snapshot (index.lsix) plus the log of every change since
// (index.log) in one folder. A change is flushed to the log before it is applied and acknowledged, so after a
// kill at any moment reopening replays every acknowledged change. Checkpoint writes a new snapshot atomically
// and empties the log. One writer per folder (it holds index.lock exclusively); readers open a point-in-time
// copy of the folder beside it (OpenReadOnly) without taking the lock.
using System.Buffers;

namespace Lodestar.Index;

public sealed class DurableIndex : IDisposable
{
    public const string SnapshotFile = "index.lsix";
    public const string LogFile = "index.log";
    public const string LockFile = "index.lock";

    /// <summary>Share of deleted rows at which a delete starts a compaction in the background.</summary>
    public const double CompactionThreshold = 0.25;

    private readonly IndexLog _log;
    private readonly FileStream _writerLock;
    private readonly Lock _writer = new();
    private Task _compaction = Task.CompletedTask;

    private DurableIndex(string directory, FlatIndex index, IndexLog log, FileStream writerLock)
    {
        Directory = directory;
        Index = index;
        _log = log;
        _writerLock = writerLock;
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
        var writerLock = TakeWriterLock(directory);
        try
        {
            var snapshot = Path.Combine(directory, SnapshotFile);
            var index = File.Exists(snapshot) ? FlatIndex.Load(snapshot) : new FlatIndex(dimension);
            try
            {
                if (index.Dimension != dimension)
                {
                    throw new InvalidDataException($"{snapshot}: the index has D = {index.Dimension}, opened for D = {dimension}");
                }
                var log = IndexLog.Open(Path.Combine(directory, LogFile), dimension, Apply(index));
                return new DurableIndex(directory, index, log, writerLock);
            }
            catch
            {
                index.Dispose();
                throw;
            }
        }
        catch
        {
            writerLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A point-in-time copy of the index in <paramref name="directory"/> for searching, opened beside a writer that
    /// may hold the folder: the snapshot (memory-mapped; dispose the index to unmap it) plus the whole records of the log. A checkpoint that replaces the snapshot
    /// while it is read (its log then emptied) is noticed and the read starts again. Later changes are not seen.
    /// </summary>
    public static FlatIndex OpenReadOnly(string directory)
    {
        var snapshot = Path.Combine(directory, SnapshotFile);
        const int Attempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            var before = Identity(snapshot);
            if (before is null)
            {
                throw new FileNotFoundException($"{directory}: no {SnapshotFile} (build one with `lodestar index build`)", snapshot);
            }
            try
            {
                var index = FlatIndex.Load(snapshot);
                try
                {
                    IndexLog.Read(Path.Combine(directory, LogFile), index.Dimension, Apply(index));
                }
                catch
                {
                    index.Dispose();
                    throw;
                }
                if (Identity(snapshot) == before)
                {
                    return index;
                }
                index.Dispose();
            }
            catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException or FileNotFoundException && Identity(snapshot) != before && attempt < Attempts)
            {
                // The writer checkpointed mid-read: the snapshot was replaced and the log emptied under us.
            }
            if (attempt == Attempts)
            {
                throw new IOException($"{directory}: the snapshot changed during each of {Attempts} reads (a writer checkpointing without pause); try again");
            }
        }
    }

    private static Action<byte, long, long, ReadOnlySpan<float>> Apply(FlatIndex index) => (op, id, createdAt, vector) =>
    {
        if (op == IndexLog.UpsertOp)
        {
            index.Upsert(id, vector, createdAt);
        }
        else
        {
            index.Delete(id);
        }
    };

    /// <summary>What tells one snapshot file from the next (a checkpoint renames a new file into place), or null when absent.</summary>
    private static (long Length, long Written)? Identity(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? (file.Length, file.LastWriteTimeUtc.Ticks) : null;
    }

    /// <summary>The folder's writer lock: a second writer gets an <see cref="IOException"/> naming the folder.</summary>
    private static FileStream TakeWriterLock(string directory)
    {
        var path = Path.Combine(directory, LockFile);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new IOException($"{path}: another writer has this index open ({ex.Message})", ex);
        }
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
        Index.Dispose();
        _writerLock.Dispose();
    }
}
