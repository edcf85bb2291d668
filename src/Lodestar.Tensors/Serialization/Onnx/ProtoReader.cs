// A bounds-checked reader of the protocol-buffers wire format, enough to walk an ONNX file: varints,
// fixed 32/64-bit values and length-delimited fields, each checked against the bytes that remain, so a
// truncated or hostile file gives an InvalidDataException naming the byte offset, never an out-of-range read.
namespace Lodestar.Tensors.Serialization.Onnx;

/// <summary>How a field's value is encoded (protobuf wire types; groups, 3 and 4, are refused).</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    Fixed32 = 5,
}

internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly int _base;
    private readonly string _source;
    private int _position;

    /// <param name="bytes">The message's bytes.</param>
    /// <param name="baseOffset">Where they start in the file, for messages.</param>
    /// <param name="source">The file, for messages.</param>
    public ProtoReader(ReadOnlySpan<byte> bytes, int baseOffset, string source)
    {
        _bytes = bytes;
        _base = baseOffset;
        _source = source;
        _position = 0;
    }

    public readonly bool AtEnd => _position >= _bytes.Length;

    /// <summary>The file being read, for messages.</summary>
    public readonly string Source => _source;

    /// <summary>The file offset of the next byte.</summary>
    public readonly int Offset => _base + _position;

    /// <summary>The next field's number and wire type.</summary>
    public (int Field, WireType Type) ReadTag()
    {
        var at = Offset;
        var tag = ReadVarint();
        var field = tag >> 3;
        var type = (int)(tag & 7);
        if (field == 0 || field > int.MaxValue)
        {
            throw Error(at, $"field number {field} is not valid");
        }
        if (type is not (0 or 1 or 2 or 5))
        {
            throw Error(at, $"field {field} has wire type {type}, which ONNX does not use");
        }
        return ((int)field, (WireType)type);
    }

    public ulong ReadVarint()
    {
        var at = Offset;
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (_position >= _bytes.Length)
            {
                throw Error(at, "a varint runs past the end");
            }
            var b = _bytes[_position++];
            if (shift == 63 && b > 1)
            {
                throw Error(at, "a varint overflows 64 bits");
            }
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
        throw Error(at, "a varint is longer than 10 bytes");
    }

    /// <summary>A varint field that must fit an int (enums, data types).</summary>
    public int ReadInt32(string what)
    {
        var at = Offset;
        var value = (long)ReadVarint();
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw Error(at, $"{what} = {value} does not fit 32 bits");
    }

    /// <summary>The bytes of a length-delimited field; <paramref name="offset"/> is the file offset they start at.</summary>
    public ReadOnlySpan<byte> ReadLengthDelimited(int field, out int offset)
    {
        var at = Offset;
        var length = ReadVarint();
        var remaining = _bytes.Length - _position;
        if (length > (ulong)remaining)
        {
            throw Error(at, $"field {field} claims {length} bytes, only {remaining} remain");
        }
        var start = _position;
        _position += (int)length;
        offset = _base + start;
        return _bytes.Slice(start, (int)length);
    }

    public string ReadString(int field)
    {
        var bytes = ReadLengthDelimited(field, out var at);
        try
        {
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw Error(at, $"field {field} is not valid UTF-8");
        }
    }

    public uint ReadFixed32() => (uint)ReadFixed(4);

    public ulong ReadFixed64() => ReadFixed(8);

    /// <summary>Skips a field of the given wire type.</summary>
    public void Skip(int field, WireType type)
    {
        switch (type)
        {
            case WireType.Varint: ReadVarint(); break;
            case WireType.Fixed64: ReadFixed(8); break;
            case WireType.Fixed32: ReadFixed(4); break;
            default: ReadLengthDelimited(field, out _); break;
        }
    }

    public readonly InvalidDataException Error(int offset, string message) => new($"{_source}: byte {offset}: {message}");

    private ulong ReadFixed(int size)
    {
        if (_bytes.Length - _position < size)
        {
            throw Error(Offset, $"a {size * 8}-bit value runs past the end");
        }
        ulong value = 0;
        for (var i = size - 1; i >= 0; i--)
        {
            value = (value << 8) | _bytes[_position + i];
        }
        _position += size;
        return value;
    }
}
