// The append-only log of an index's changes since its snapshot: one record per upsert or delete, each
// [payload length u32][payload][XxHash3 of the payload u64], flushed to disk before the change is
// acknowledged. On open the records are replayed in order; a record cut off at the end of the file (a write
// the process died inside, never acknowledged) is dropped, and damage anywhere else is an error.
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Lodestar.Index;

internal sealed class IndexLog : IDisposable
{
    public const byte UpsertOp = 1;
    public const byte DeleteOp = 2;
    private const int FrameBytes = 4 + 8;

    private readonly FileStream _stream;
    private readonly int _dimension;
    private byte[] _buffer = new byte[1 << 16];

    private IndexLog(FileStream stream, int dimension)
    {
        _stream = stream;
        _dimension = dimension;
    }

    public string Path => _stream.Name;

    /// <summary>
    /// Opens (or creates) the log for writing; the caller holds the folder's writer lock (DurableIndex), and readers
    /// may read the file meanwhile. Replays every whole record into <paramref name="apply"/> and cuts a torn last
    /// record off the file.
    /// </summary>
    public static IndexLog Open(string path, int dimension, Action<byte, long, long, ReadOnlySpan<float>> apply)
    {
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        try
        {
            var end = Replay(stream, path, dimension, apply);
            if (end < stream.Length)
            {
                stream.SetLength(end);
                stream.Flush(flushToDisk: true);
            }
            stream.Seek(end, SeekOrigin.Begin);
            return new IndexLog(stream, dimension);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Replays the whole records of a log that a writer may be appending to, without changing the file: a record
    /// still being written at the end is left out. A missing log holds nothing.
    /// </summary>
    public static void Read(string path, int dimension, Action<byte, long, long, ReadOnlySpan<float>> apply)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        }
        catch (FileNotFoundException)
        {
            return;
        }
        using (stream)
        {
            Replay(stream, path, dimension, apply);
        }
    }

    /// <summary>Appends one record per item (upserts carry their vector) and flushes them to disk.</summary>
    public void Append(byte op, ReadOnlySpan<long> ids, ReadOnlySpan<long> createdAt, ReadOnlySpan<float> vectors)
    {
        var payloadBytes = PayloadBytes(op, _dimension);
        var recordBytes = FrameBytes + payloadBytes;
        var perBuffer = Math.Max(1, _buffer.Length / recordBytes);
        if (_buffer.Length < recordBytes)
        {
            _buffer = new byte[recordBytes];
        }
        for (var first = 0; first < ids.Length; first += perBuffer)
        {
            var n = Math.Min(perBuffer, ids.Length - first);
            for (var i = 0; i < n; i++)
            {
                var record = _buffer.AsSpan(i * recordBytes, recordBytes);
                var item = first + i;
                BinaryPrimitives.WriteInt32LittleEndian(record, payloadBytes);
                var payload = record.Slice(4, payloadBytes);
                payload[0] = op;
                BinaryPrimitives.WriteInt64LittleEndian(payload[1..], ids[item]);
                BinaryPrimitives.WriteInt64LittleEndian(payload[9..], op == UpsertOp ? createdAt[item] : 0);
                if (op == UpsertOp)
                {
                    MemoryMarshal.AsBytes(vectors.Slice(item * _dimension, _dimension)).CopyTo(payload[17..]);
                }
                BinaryPrimitives.WriteUInt64LittleEndian(record[(4 + payloadBytes)..], XxHash3.HashToUInt64(payload));
            }
            _stream.Write(_buffer, 0, n * recordBytes);
        }
        _stream.Flush(flushToDisk: true);
    }

    /// <summary>Empties the log once a snapshot holds everything it recorded.</summary>
    public void Truncate()
    {
        _stream.SetLength(0);
        _stream.Flush(flushToDisk: true);
    }

    public long Length => _stream.Length;

    public void Dispose() => _stream.Dispose();

    private static int PayloadBytes(byte op, int dimension) => 1 + 8 + 8 + (op == UpsertOp ? 4 * dimension : 0);

    /// <summary>Applies every whole record; returns the offset after the last one.</summary>
    private static long Replay(FileStream stream, string path, int dimension, Action<byte, long, long, ReadOnlySpan<float>> apply)
    {
        var length = stream.Length;
        var maxPayload = PayloadBytes(UpsertOp, dimension);
        var payload = new byte[maxPayload];
        var vector = new float[dimension];
        Span<byte> frame = stackalloc byte[8];
        long offset = 0;
        stream.Seek(0, SeekOrigin.Begin);
        while (offset < length)
        {
            if (length - offset < 4)
            {
                return offset;
            }
            stream.ReadExactly(frame[..4]);
            var payloadBytes = BinaryPrimitives.ReadInt32LittleEndian(frame);
            if (payloadBytes != PayloadBytes(UpsertOp, dimension) && payloadBytes != PayloadBytes(DeleteOp, dimension))
            {
                throw new InvalidDataException($"{path}: the record at byte {offset} has length {payloadBytes}, not a record of this index (D = {dimension})");
            }
            if (length - offset < FrameBytes + payloadBytes)
            {
                return offset;
            }
            var body = payload.AsSpan(0, payloadBytes);
            stream.ReadExactly(body);
            stream.ReadExactly(frame);
            if (BinaryPrimitives.ReadUInt64LittleEndian(frame) != XxHash3.HashToUInt64(body))
            {
                if (offset + FrameBytes + payloadBytes == length)
                {
                    return offset;
                }
                throw new InvalidDataException($"{path}: the record at byte {offset} fails its checksum and records follow it: the log is damaged");
            }
            var op = body[0];
            var id = BinaryPrimitives.ReadInt64LittleEndian(body[1..]);
            var createdAt = BinaryPrimitives.ReadInt64LittleEndian(body[9..]);
            if (op == UpsertOp && payloadBytes == PayloadBytes(UpsertOp, dimension))
            {
                MemoryMarshal.Cast<byte, float>(body[17..]).CopyTo(vector);
                apply(op, id, createdAt, vector);
            }
            else if (op == DeleteOp && payloadBytes == PayloadBytes(DeleteOp, dimension))
            {
                apply(op, id, createdAt, default);
            }
            else
            {
                throw new InvalidDataException($"{path}: the record at byte {offset} has operation {op} and length {payloadBytes}, which do not match");
            }
            offset += FrameBytes + payloadBytes;
        }
        return offset;
    }
}
