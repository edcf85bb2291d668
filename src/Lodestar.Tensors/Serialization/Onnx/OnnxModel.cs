// The parts of an ONNX file (ModelProto → GraphProto → TensorProto, NodeProto, ValueInfoProto) that importing
// a model's weights needs: every initializer's name, data type, dims and bytes, and the graph's nodes, inputs
// and outputs to map them by structure. Read with ProtoReader, so every length and count is checked against the
// file before use; weights stored outside the file (external data) and types without a fixed size are refused.
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Lodestar.Tensors.Serialization.Onnx;

/// <summary>TensorProto.DataType values.</summary>
public enum OnnxDataType
{
    Undefined = 0,
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    UInt16 = 4,
    Int16 = 5,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Float16 = 10,
    Double = 11,
    UInt32 = 12,
    UInt64 = 13,
    BFloat16 = 16,
}

/// <summary>One initializer: its little-endian bytes in the file's layout, row-major over Dims.</summary>
public sealed record OnnxTensor(string Name, OnnxDataType DataType, long[] Dims, ReadOnlyMemory<byte> Data)
{
    public long ElementCount => Dims.Aggregate(1L, (n, d) => n * d);

    /// <summary>The values of a FLOAT tensor.</summary>
    public float[] ToFloat32() => DataType == OnnxDataType.Float
        ? MemoryMarshal.Cast<byte, float>(Data.Span).ToArray()
        : throw new InvalidDataException($"ONNX initializer '{Name}' is {DataType}, not FLOAT");

    /// <summary>The values of an INT64 tensor.</summary>
    public long[] ToInt64() => DataType == OnnxDataType.Int64
        ? MemoryMarshal.Cast<byte, long>(Data.Span).ToArray()
        : throw new InvalidDataException($"ONNX initializer '{Name}' is {DataType}, not INT64");
}

/// <summary>One operator of the graph: what it computes from which named values into which.</summary>
public sealed record OnnxNode(string Name, string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);

public sealed class OnnxModel
{
    private OnnxModel(long irVersion, IReadOnlyList<OnnxTensor> initializers, IReadOnlyList<OnnxNode> nodes, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs)
    {
        IrVersion = irVersion;
        Initializers = initializers;
        Nodes = nodes;
        Inputs = inputs;
        Outputs = outputs;
    }

    public long IrVersion { get; }

    public IReadOnlyList<OnnxTensor> Initializers { get; }

    public IReadOnlyList<OnnxNode> Nodes { get; }

    /// <summary>Names of the graph's inputs (initializers may be listed among them by older exporters).</summary>
    public IReadOnlyList<string> Inputs { get; }

    public IReadOnlyList<string> Outputs { get; }

    public static OnnxModel Read(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Parses a ModelProto; <paramref name="source"/> names the bytes in errors.</summary>
    public static OnnxModel Parse(byte[] bytes, string source = "<memory>")
    {
        var reader = new ProtoReader(bytes, 0, source);
        long irVersion = 0;
        Graph? graph = null;
        while (!reader.AtEnd)
        {
            var (field, type) = reader.ReadTag();
            if (field == 1 && type == WireType.Varint)
            {
                irVersion = (long)reader.ReadVarint();
            }
            else if (field == 7 && type == WireType.LengthDelimited)
            {
                var graphBytes = reader.ReadLengthDelimited(field, out var offset);
                graph = ParseGraph(bytes, graphBytes, offset, source);
            }
            else
            {
                reader.Skip(field, type);
            }
        }
        if (graph is null)
        {
            throw new InvalidDataException($"{source}: no graph (ModelProto field 7); not an ONNX model");
        }
        return new OnnxModel(irVersion, graph.Initializers, graph.Nodes, graph.Inputs, graph.Outputs);
    }

    private sealed record Graph(List<OnnxTensor> Initializers, List<OnnxNode> Nodes, List<string> Inputs, List<string> Outputs);

    private static Graph ParseGraph(byte[] file, ReadOnlySpan<byte> bytes, int offset, string source)
    {
        var reader = new ProtoReader(bytes, offset, source);
        var graph = new Graph([], [], [], []);
        while (!reader.AtEnd)
        {
            var (field, type) = reader.ReadTag();
            if (type != WireType.LengthDelimited || field is not (1 or 5 or 11 or 12 or 15))
            {
                reader.Skip(field, type);
                continue;
            }
            var body = reader.ReadLengthDelimited(field, out var at);
            switch (field)
            {
                case 1: graph.Nodes.Add(ParseNode(body, at, source)); break;
                case 5: graph.Initializers.Add(ParseTensor(file, body, at, source)); break;
                case 11: graph.Inputs.Add(ValueInfoName(body, at, source)); break;
                case 12: graph.Outputs.Add(ValueInfoName(body, at, source)); break;
                default: throw new InvalidDataException($"{source}: byte {at}: sparse initializers are not supported");
            }
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in graph.Initializers)
        {
            if (!names.Add(tensor.Name))
            {
                throw new InvalidDataException($"{source}: initializer '{tensor.Name}' is stored twice");
            }
        }
        return graph;
    }

    private static OnnxNode ParseNode(ReadOnlySpan<byte> bytes, int offset, string source)
    {
        var reader = new ProtoReader(bytes, offset, source);
        var inputs = new List<string>();
        var outputs = new List<string>();
        string name = "", opType = "";
        while (!reader.AtEnd)
        {
            var (field, type) = reader.ReadTag();
            if (type != WireType.LengthDelimited || field is not (1 or 2 or 3 or 4))
            {
                reader.Skip(field, type);
                continue;
            }
            var text = reader.ReadString(field);
            switch (field)
            {
                case 1: inputs.Add(text); break;
                case 2: outputs.Add(text); break;
                case 3: name = text; break;
                default: opType = text; break;
            }
        }
        return new OnnxNode(name, opType, inputs, outputs);
    }

    private static string ValueInfoName(ReadOnlySpan<byte> bytes, int offset, string source)
    {
        var reader = new ProtoReader(bytes, offset, source);
        var name = "";
        while (!reader.AtEnd)
        {
            var (field, type) = reader.ReadTag();
            if (field == 1 && type == WireType.LengthDelimited)
            {
                name = reader.ReadString(field);
            }
            else
            {
                reader.Skip(field, type);
            }
        }
        return name;
    }

    private static OnnxTensor ParseTensor(byte[] file, ReadOnlySpan<byte> bytes, int offset, string source)
    {
        var reader = new ProtoReader(bytes, offset, source);
        var dims = new List<long>();
        var dataType = OnnxDataType.Undefined;
        var name = "";
        ReadOnlyMemory<byte>? raw = null;
        List<float>? floats = null;
        List<long>? longs = null;
        List<int>? ints = null;
        var external = false;
        while (!reader.AtEnd)
        {
            var at = reader.Offset;
            var (field, type) = reader.ReadTag();
            switch (field, type)
            {
                case (1, WireType.Varint):
                    dims.Add((long)reader.ReadVarint());
                    break;
                case (1, WireType.LengthDelimited):
                    ReadPackedVarints(ref reader, field, v => dims.Add((long)v));
                    break;
                case (2, WireType.Varint):
                    dataType = (OnnxDataType)reader.ReadInt32("data_type");
                    break;
                case (4, WireType.Fixed32):
                    (floats ??= []).Add(BitConverter.UInt32BitsToSingle(reader.ReadFixed32()));
                    break;
                case (4, WireType.LengthDelimited):
                {
                    var packed = reader.ReadLengthDelimited(field, out var packedAt);
                    if (packed.Length % 4 != 0)
                    {
                        throw new InvalidDataException($"{source}: byte {packedAt}: float_data of {packed.Length} bytes is not whole floats");
                    }
                    floats ??= [];
                    for (var i = 0; i < packed.Length; i += 4)
                    {
                        floats.Add(BinaryPrimitives.ReadSingleLittleEndian(packed[i..]));
                    }
                    break;
                }
                case (5, WireType.Varint):
                    (ints ??= []).Add((int)reader.ReadVarint());
                    break;
                case (5, WireType.LengthDelimited):
                    ReadPackedVarints(ref reader, field, v => (ints ??= []).Add((int)v));
                    break;
                case (7, WireType.Varint):
                    (longs ??= []).Add((long)reader.ReadVarint());
                    break;
                case (7, WireType.LengthDelimited):
                    ReadPackedVarints(ref reader, field, v => (longs ??= []).Add((long)v));
                    break;
                case (8, WireType.LengthDelimited):
                    name = reader.ReadString(field);
                    break;
                case (9, WireType.LengthDelimited):
                {
                    var data = reader.ReadLengthDelimited(field, out var dataAt);
                    raw = file.AsMemory(dataAt, data.Length);
                    break;
                }
                case (14, WireType.Varint):
                    external = reader.ReadVarint() == 1;
                    break;
                case (6 or 10 or 11, _):
                    throw new InvalidDataException($"{source}: byte {at}: initializer '{name}' stores its values in TensorProto field {field}, which Lodestar does not read");
                default:
                    reader.Skip(field, type);
                    break;
            }
        }
        var what = $"{source}: initializer '{name}'";
        if (external)
        {
            throw new InvalidDataException($"{what} keeps its data in an external file; save the model with its weights inside (onnx.save_model(..., save_as_external_data=False))");
        }
        var size = ElementSize(dataType) ?? throw new InvalidDataException($"{what} has data type {dataType}, which has no fixed size Lodestar can read");
        long count = 1;
        foreach (var d in dims)
        {
            if (d < 0 || d > int.MaxValue)
            {
                throw new InvalidDataException($"{what} has dimension {d}");
            }
            count = count * d;
            if (count > int.MaxValue)
            {
                throw new InvalidDataException($"{what} has dims [{string.Join(", ", dims)}], more than {int.MaxValue} elements");
            }
        }
        var expected = count * size;
        ReadOnlyMemory<byte> values;
        if (raw is { } rawData)
        {
            values = rawData;
        }
        else if (floats is not null && dataType == OnnxDataType.Float)
        {
            values = MemoryMarshal.AsBytes(floats.ToArray().AsSpan()).ToArray();
        }
        else if (longs is not null && dataType == OnnxDataType.Int64)
        {
            values = MemoryMarshal.AsBytes(longs.ToArray().AsSpan()).ToArray();
        }
        else if (ints is not null && dataType == OnnxDataType.Int32)
        {
            values = MemoryMarshal.AsBytes(ints.ToArray().AsSpan()).ToArray();
        }
        else if (floats is null && longs is null && ints is null)
        {
            values = ReadOnlyMemory<byte>.Empty;
        }
        else
        {
            throw new InvalidDataException($"{what} is {dataType} but stores its values in a field of another type");
        }
        if (values.Length != expected)
        {
            throw new InvalidDataException($"{what} has dims [{string.Join(", ", dims)}] of {dataType} ({expected} bytes) but {values.Length} bytes of data");
        }
        return new OnnxTensor(name, dataType, [.. dims], values);
    }

    private static void ReadPackedVarints(ref ProtoReader reader, int field, Action<ulong> add)
    {
        var packed = reader.ReadLengthDelimited(field, out var at);
        var inner = new ProtoReader(packed, at, reader.Source);
        while (!inner.AtEnd)
        {
            add(inner.ReadVarint());
        }
    }

    private static int? ElementSize(OnnxDataType type) => type switch
    {
        OnnxDataType.Float or OnnxDataType.Int32 or OnnxDataType.UInt32 => 4,
        OnnxDataType.UInt8 or OnnxDataType.Int8 or OnnxDataType.Bool => 1,
        OnnxDataType.UInt16 or OnnxDataType.Int16 or OnnxDataType.Float16 or OnnxDataType.BFloat16 => 2,
        OnnxDataType.Int64 or OnnxDataType.Double or OnnxDataType.UInt64 => 8,
        _ => null,
    };
}
