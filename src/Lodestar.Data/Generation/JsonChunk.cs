// Serialises records into one in-memory JSONL chunk (compact objects, '\n' after each) so workers can
// serialise in parallel and a single writer appends finished chunks in a fixed order.
using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Lodestar.Core;
using Lodestar.Data.Schema;

namespace Lodestar.Data.Generation;

internal sealed class JsonChunk : IDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer;
    private readonly Utf8JsonWriter _json;

    public JsonChunk(int capacity = 1 << 14)
    {
        _buffer = new ArrayBufferWriter<byte>(capacity);
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true, Encoder = DataJson.Encoder });
    }

    public long Count { get; private set; }

    public void Add<T>(T record, JsonTypeInfo<T> typeInfo)
    {
        _json.Reset(_buffer);
        JsonSerializer.Serialize(_json, record, typeInfo);
        _json.Flush();
        _buffer.Write("\n"u8);
        Count++;
    }

    public void AddRaw(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public void Dispose() => _json.Dispose();
}

/// <summary>A set of output files written through temporary names and published together.</summary>
internal sealed class OutputFiles : IDisposable
{
    private readonly Dictionary<string, FileStream> _streams = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public void Append(string path, ReadOnlySpan<byte> bytes, long records)
    {
        if (!_streams.TryGetValue(path, out var stream))
        {
            _streams[path] = stream = AtomicFile.CreateTemp(path, 1 << 20);
            _counts[path] = 0;
            _order.Add(path);
        }
        stream.Write(bytes);
        _counts[path] += records;
    }

    public void Touch(string path) => Append(path, [], 0);

    public long CountOf(string path) => _counts.GetValueOrDefault(path);

    public void CommitAll()
    {
        foreach (var path in _order)
        {
            AtomicFile.Commit(_streams[path], path);
        }
        _streams.Clear();
    }

    public void Dispose()
    {
        foreach (var (path, stream) in _streams)
        {
            AtomicFile.Abandon(stream);
        }
        _streams.Clear();
    }
}
