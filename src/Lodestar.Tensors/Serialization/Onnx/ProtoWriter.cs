// The protocol-buffers wire format written, the other half of ProtoReader: varints, fixed 32-bit floats and
// length-delimited fields, a nested message written into its own writer and then framed by its length.
using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Lodestar.Tensors.Serialization.Onnx;

internal sealed class ProtoWriter
{
    private readonly ArrayBufferWriter<byte> _bytes = new(256);

    public ReadOnlySpan<byte> WrittenSpan => _bytes.WrittenSpan;

    public void Varint(int field, long value)
    {
        Tag(field, WireType.Varint);
        WriteVarint((ulong)value);
    }

    public void Float(int field, float value)
    {
        Tag(field, WireType.Fixed32);
        BinaryPrimitives.WriteSingleLittleEndian(_bytes.GetSpan(4), value);
        _bytes.Advance(4);
    }

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, WireType.LengthDelimited);
        WriteVarint((ulong)value.Length);
        _bytes.Write(value);
    }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public void Message(int field, Action<ProtoWriter> write)
    {
        var inner = new ProtoWriter();
        write(inner);
        Bytes(field, inner.WrittenSpan);
    }

    /// <summary>A packed repeated int64 field (one length-delimited run of varints).</summary>
    public void PackedVarints(int field, IEnumerable<long> values)
    {
        var inner = new ProtoWriter();
        foreach (var value in values)
        {
            inner.WriteVarint((ulong)value);
        }
        Bytes(field, inner.WrittenSpan);
    }

    /// <summary>A packed repeated float field.</summary>
    public void PackedFloats(int field, IEnumerable<float> values)
    {
        var inner = new ProtoWriter();
        foreach (var value in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(inner._bytes.GetSpan(4), value);
            inner._bytes.Advance(4);
        }
        Bytes(field, inner.WrittenSpan);
    }

    private void Tag(int field, WireType type) => WriteVarint(((ulong)field << 3) | (ulong)type);

    private void WriteVarint(ulong value)
    {
        var span = _bytes.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        _bytes.Advance(n);
    }
}
