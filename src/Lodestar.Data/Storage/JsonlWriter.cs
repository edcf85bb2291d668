// Writes records as JSON Lines (one compact object per line, '\n' endings, UTF-8 without BOM) through a
// temporary file that is renamed into place only by Complete(): an interrupted write leaves no file.
using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Lodestar.Core;
using Lodestar.Data.Schema;

namespace Lodestar.Data.Storage;

public sealed class JsonlWriter<T> : IDisposable
{
    private readonly string _path;
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 16);
    private readonly Utf8JsonWriter _json;
    private FileStream? _stream;

    public JsonlWriter(string path, JsonTypeInfo<T> typeInfo)
    {
        _path = path;
        _typeInfo = typeInfo;
        _stream = AtomicFile.CreateTemp(path, 1 << 20);
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true, Encoder = DataJson.Encoder });
    }

    public string Path => _path;

    public long Count { get; private set; }

    public void Write(T record)
    {
        var stream = _stream ?? throw new ObjectDisposedException(_path);
        _json.Reset(_buffer);
        JsonSerializer.Serialize(_json, record, _typeInfo);
        _json.Flush();
        _buffer.Write("\n"u8);
        if (_buffer.WrittenCount >= 1 << 16)
        {
            stream.Write(_buffer.WrittenSpan);
            _buffer.ResetWrittenCount();
        }
        Count++;
    }

    /// <summary>Flushes, fsyncs and renames the file into place.</summary>
    public void Complete()
    {
        var stream = _stream ?? throw new ObjectDisposedException(_path);
        stream.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
        AtomicFile.Commit(stream, _path);
        _stream = null;
    }

    /// <summary>Abandons the temporary file unless <see cref="Complete"/> ran.</summary>
    public void Dispose()
    {
        _json.Dispose();
        if (_stream is not null)
        {
            AtomicFile.Abandon(_stream);
            _stream = null;
        }
    }
}
