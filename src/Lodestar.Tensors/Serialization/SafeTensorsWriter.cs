// Builds a safetensors file from named tensors and string metadata, byte-compatible with Hugging Face's
// serializer: tensors sorted by dtype alignment (descending) then name, compact JSON, header padded with
// spaces to a multiple of 8, so the same tensors always give the same bytes.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Lodestar.Core;

namespace Lodestar.Tensors.Serialization;

public sealed class SafeTensorsWriter
{
    private readonly Dictionary<string, PendingTensor> _tensors = new(StringComparer.Ordinal);

    public int Count => _tensors.Count;

    /// <summary>The tensors added so far, in the order they were added.</summary>
    public IEnumerable<(string Name, SafeTensorsDType DType, IReadOnlyList<long> Shape, byte[] Bytes)> Tensors =>
        _tensors.Select(t => (t.Key, t.Value.DType, (IReadOnlyList<long>)t.Value.Shape, t.Value.Bytes));

    public void Add(string name, ReadOnlySpan<float> values, params ReadOnlySpan<long> shape) =>
        AddRaw(name, SafeTensorsDType.F32, MemoryMarshal.AsBytes(values), shape);

    public void Add(string name, ReadOnlySpan<double> values, params ReadOnlySpan<long> shape) =>
        AddRaw(name, SafeTensorsDType.F64, MemoryMarshal.AsBytes(values), shape);

    public void Add(string name, ReadOnlySpan<Half> values, params ReadOnlySpan<long> shape) =>
        AddRaw(name, SafeTensorsDType.F16, MemoryMarshal.AsBytes(values), shape);

    public void Add(string name, ReadOnlySpan<long> values, params ReadOnlySpan<long> shape) =>
        AddRaw(name, SafeTensorsDType.I64, MemoryMarshal.AsBytes(values), shape);

    public void Add(string name, ReadOnlySpan<int> values, params ReadOnlySpan<long> shape) =>
        AddRaw(name, SafeTensorsDType.I32, MemoryMarshal.AsBytes(values), shape);

    public void Add(string name, ReadOnlySpan<short> values, params ReadOnlySpan<long> shape) =>
        AddRaw(name, SafeTensorsDType.I16, MemoryMarshal.AsBytes(values), shape);

    public void Add(string name, ReadOnlySpan<sbyte> values, params ReadOnlySpan<long> shape) =>
        AddRaw(name, SafeTensorsDType.I8, MemoryMarshal.AsBytes(values), shape);

    public void Add(string name, ReadOnlySpan<byte> values, params ReadOnlySpan<long> shape) =>
        AddRaw(name, SafeTensorsDType.U8, values, shape);

    public void Add(string name, ReadOnlySpan<bool> values, params ReadOnlySpan<long> shape) =>
        AddRaw(name, SafeTensorsDType.Bool, MemoryMarshal.AsBytes(values), shape);

    /// <summary>
    /// Adds a tensor given as little-endian bytes with a dtype tag (BF16, F8, U16, ... or any other dtype).
    /// The bytes are copied, so the caller may reuse its buffer.
    /// </summary>
    public void AddRaw(string name, SafeTensorsDType dtype, ReadOnlySpan<byte> bytes, params ReadOnlySpan<long> shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name == SafeTensorsHeader.MetadataKey)
        {
            throw new ArgumentException($"'{name}' cannot name a tensor", nameof(name));
        }
        if (_tensors.ContainsKey(name))
        {
            throw new ArgumentException($"tensor '{name}' was already added", nameof(name));
        }
        if (!Enum.IsDefined(dtype))
        {
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, $"tensor '{name}': not a safetensors dtype");
        }
        long elements = 1;
        foreach (var dimension in shape)
        {
            if (dimension < 0)
            {
                throw new ArgumentException($"tensor '{name}': shape [{string.Join(", ", shape.ToArray())}] has a negative dimension", nameof(shape));
            }
            elements = checked(elements * dimension);
        }
        if (checked(elements * dtype.SizeInBytes()) != bytes.Length)
        {
            throw new ArgumentException(
                $"tensor '{name}': shape [{string.Join(", ", shape.ToArray())}] of {dtype.Tag()} needs {elements * dtype.SizeInBytes()} bytes, got {bytes.Length}",
                nameof(bytes));
        }
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors data is little-endian; the writer needs a little-endian CPU");
        }
        _tensors.Add(name, new PendingTensor(dtype, shape.ToArray(), bytes.ToArray()));
    }

    /// <summary>Writes the file atomically: a temp file beside <paramref name="path"/>, flushed to disk, renamed over it.</summary>
    public void Save(string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = BuildHeader(metadata);
        AtomicFile.Write(path, stream => WriteTo(stream, header));
    }

    /// <summary>The whole file as bytes.</summary>
    public byte[] ToBytes(IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var stream = new MemoryStream();
        WriteTo(stream, BuildHeader(metadata));
        return stream.ToArray();
    }

    private void WriteTo(Stream stream, byte[] header)
    {
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var (_, tensor) in Ordered())
        {
            stream.Write(tensor.Bytes);
        }
    }

    /// <summary>Hugging Face's order: dtype alignment descending, then name by UTF-8 bytes (Rust's string order).</summary>
    private IEnumerable<(string Name, PendingTensor Tensor)> Ordered() =>
        _tensors
            .Select(pair => (Name: pair.Key, Tensor: pair.Value, Key: Encoding.UTF8.GetBytes(pair.Key)))
            .OrderByDescending(t => t.Tensor.DType)
            .ThenBy(t => t.Key, ByteOrder.Instance)
            .Select(t => (t.Name, t.Tensor));

    private byte[] BuildHeader(IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new StringBuilder("{");
        if (metadata is not null)
        {
            json.Append("\"__metadata__\":{");
            var first = true;
            foreach (var key in metadata.Keys.OrderBy(k => Encoding.UTF8.GetBytes(k), ByteOrder.Instance))
            {
                var value = metadata[key] ?? throw new ArgumentException($"metadata '{key}' is null; values must be strings", nameof(metadata));
                json.Append(first ? "" : ",");
                AppendJsonString(json, key).Append(':');
                AppendJsonString(json, value);
                first = false;
            }
            json.Append('}');
        }

        long offset = 0;
        foreach (var (name, tensor) in Ordered())
        {
            json.Append(json.Length > 1 ? "," : "");
            AppendJsonString(json, name);
            json.Append(":{\"dtype\":\"").Append(tensor.DType.Tag()).Append("\",\"shape\":[")
                .AppendJoin(',', tensor.Shape)
                .Append("],\"data_offsets\":[").Append(offset).Append(',').Append(offset + tensor.Bytes.Length).Append("]}");
            offset += tensor.Bytes.Length;
        }
        json.Append('}');

        // Pad with spaces so the byte buffer starts 8-byte aligned (Hugging Face's "forced alignment").
        var bytes = Encoding.UTF8.GetBytes(json.ToString());
        var extra = (8 - bytes.Length % 8) % 8;
        if (bytes.Length + extra > SafeTensorsFile.MaxHeaderBytes)
        {
            throw new InvalidOperationException($"the header would be {bytes.Length + extra} bytes, over the {SafeTensorsFile.MaxHeaderBytes}-byte maximum readers accept");
        }
        var header = new byte[bytes.Length + extra];
        bytes.CopyTo(header, 0);
        header.AsSpan(bytes.Length).Fill((byte)' ');
        return header;
    }

    /// <summary>JSON string escaping as serde_json (and Python's json with ensure_ascii=False) does it: only quote, backslash and control characters.</summary>
    private static StringBuilder AppendJsonString(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case < ' ': json.Append("\\u").Append(((int)c).ToString("x4")); break;
                default: json.Append(c); break;
            }
        }
        return json.Append('"');
    }

    private sealed record PendingTensor(SafeTensorsDType DType, long[] Shape, byte[] Bytes);

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
