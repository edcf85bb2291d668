// Builds an ONNX model (ModelProto with one GraphProto) operator by operator: typed inputs and outputs with
// fixed or named (symbolic) dimensions, float32 and int64 initializers stored as raw_data, and nodes with their
// attributes; values are named as they are made, so an exporter reads like the forward pass it mirrors.
using System.Runtime.InteropServices;
using Lodestar.Core;

namespace Lodestar.Tensors.Serialization.Onnx;

/// <summary>A node attribute: an int, a float, a list of ints or a string (AttributeProto).</summary>
public sealed record OnnxAttribute
{
    private OnnxAttribute(string name) => Name = name;

    public string Name { get; }

    internal long? IntValue { get; private init; }

    internal float? FloatValue { get; private init; }

    internal long[]? IntsValue { get; private init; }

    internal string? StringValue { get; private init; }

    public static OnnxAttribute Int(string name, long value) => new(name) { IntValue = value };

    public static OnnxAttribute Float(string name, float value) => new(name) { FloatValue = value };

    public static OnnxAttribute Ints(string name, params long[] values) => new(name) { IntsValue = values };

    public static OnnxAttribute String(string name, string value) => new(name) { StringValue = value };

    // AttributeProto: name 1, f 2, i 3, s 4, ints 8, type 20 (FLOAT 1, INT 2, STRING 3, INTS 7).
    internal void Write(ProtoWriter writer)
    {
        writer.String(1, Name);
        if (FloatValue is { } f)
        {
            writer.Float(2, f);
            writer.Varint(20, 1);
        }
        else if (IntValue is { } i)
        {
            writer.Varint(3, i);
            writer.Varint(20, 2);
        }
        else if (StringValue is { } s)
        {
            writer.String(4, s);
            writer.Varint(20, 3);
        }
        else
        {
            writer.PackedVarints(8, IntsValue!);
            writer.Varint(20, 7);
        }
    }
}

public sealed class OnnxGraphBuilder
{
    private readonly string _name;
    private readonly int _opset;
    private readonly List<Action<ProtoWriter>> _nodes = [];
    private readonly List<Action<ProtoWriter>> _initializers = [];
    private readonly List<Action<ProtoWriter>> _inputs = [];
    private readonly List<Action<ProtoWriter>> _outputs = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    /// <param name="name">The graph's name.</param>
    /// <param name="opset">The default domain's operator set the graph is written against.</param>
    public OnnxGraphBuilder(string name, int opset = 17)
    {
        _name = name;
        _opset = opset;
    }

    /// <summary>Operator sets of other domains the graph uses (e.g. "com.microsoft" for ONNX Runtime's fused operators).</summary>
    public Dictionary<string, int> ExtraOpsets { get; } = new(StringComparer.Ordinal);

    /// <summary>A graph input; each dimension is a size (long) or a symbolic name (string) such as "batch".</summary>
    public string Input(string name, OnnxDataType type, params object[] dims)
    {
        Claim(name);
        _inputs.Add(w => ValueInfo(w, name, type, dims));
        return name;
    }

    /// <summary>Marks <paramref name="value"/> as a graph output under its own name.</summary>
    public void Output(string value, OnnxDataType type, params object[] dims) => _outputs.Add(w => ValueInfo(w, value, type, dims));

    /// <summary>A float32 initializer with the given row-major dims.</summary>
    public string Initializer(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        Check(name, values.Length, dims);
        Claim(name);
        return AddInitializer(name, OnnxDataType.Float, MemoryMarshal.AsBytes(values).ToArray(), dims);
    }

    /// <summary>An int64 initializer with the given row-major dims.</summary>
    public string Initializer(string name, ReadOnlySpan<long> values, params long[] dims)
    {
        Check(name, values.Length, dims);
        Claim(name);
        return AddInitializer(name, OnnxDataType.Int64, MemoryMarshal.AsBytes(values).ToArray(), dims);
    }

    /// <summary>A 1-D int64 constant (shapes, axes, indices).</summary>
    public string Int64s(params long[] values) =>
        AddInitializer(Fresh("const"), OnnxDataType.Int64, MemoryMarshal.AsBytes<long>(values).ToArray(), [values.Length]);

    /// <summary>An int64 scalar constant (an index, a bound of Range).</summary>
    public string ScalarInt64(long value) =>
        AddInitializer(Fresh("const"), OnnxDataType.Int64, BitConverter.GetBytes(value), []);

    /// <summary>A float32 scalar constant.</summary>
    public string Scalar(float value) =>
        AddInitializer(Fresh("const"), OnnxDataType.Float, BitConverter.GetBytes(value), []);

    /// <summary>A node with one output, named after its operator; returns the output's name.</summary>
    public string Node(string opType, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes) =>
        Node(opType, inputs, 1, "", attributes)[0];

    /// <summary>A node with <paramref name="outputCount"/> outputs in <paramref name="domain"/> ("" is the ONNX domain).</summary>
    public string[] Node(string opType, IReadOnlyList<string> inputs, int outputCount, string domain, params OnnxAttribute[] attributes)
    {
        var nodeName = Fresh(opType);
        var outputs = Enumerable.Range(0, outputCount).Select(i => Fresh($"{opType}_out")).ToArray();
        _nodes.Add(w =>
        {
            // NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, domain 7.
            foreach (var input in inputs)
            {
                w.String(1, input);
            }
            foreach (var output in outputs)
            {
                w.String(2, output);
            }
            w.String(3, nodeName);
            w.String(4, opType);
            foreach (var attribute in attributes)
            {
                w.Message(5, attribute.Write);
            }
            if (domain.Length > 0)
            {
                w.String(7, domain);
            }
        });
        return outputs;
    }

    /// <summary>Renames <paramref name="value"/> to <paramref name="name"/> (an Identity node), e.g. to give an output its public name.</summary>
    public string Name(string value, string name)
    {
        Claim(name);
        _nodes.Add(w =>
        {
            w.String(1, value);
            w.String(2, name);
            w.String(3, Fresh("Identity"));
            w.String(4, "Identity");
        });
        return name;
    }

    /// <summary>The ModelProto's bytes.</summary>
    public byte[] ToBytes(string producer = "lodestar")
    {
        var model = new ProtoWriter();
        // ModelProto: ir_version 1, producer_name 2, graph 7, opset_import 8 (domain 1, version 2). IR 8 goes with opset 17..18.
        model.Varint(1, 8);
        model.String(2, producer);
        model.Message(7, graph =>
        {
            // GraphProto: node 1, name 2, initializer 5, input 11, output 12.
            foreach (var node in _nodes)
            {
                graph.Message(1, node);
            }
            graph.String(2, _name);
            foreach (var initializer in _initializers)
            {
                graph.Message(5, initializer);
            }
            foreach (var input in _inputs)
            {
                graph.Message(11, input);
            }
            foreach (var output in _outputs)
            {
                graph.Message(12, output);
            }
        });
        model.Message(8, o => o.Varint(2, _opset));
        foreach (var (domain, version) in ExtraOpsets)
        {
            model.Message(8, o =>
            {
                o.String(1, domain);
                o.Varint(2, version);
            });
        }
        return model.WrittenSpan.ToArray();
    }

    /// <summary>Writes the model to <paramref name="path"/> atomically.</summary>
    public void Save(string path, string producer = "lodestar") => AtomicFile.WriteAllBytes(path, ToBytes(producer));

    // name is claimed already.
    private string AddInitializer(string name, OnnxDataType type, byte[] bytes, long[] dims)
    {
        // TensorProto: dims 1, data_type 2, name 8, raw_data 9.
        _initializers.Add(w =>
        {
            w.PackedVarints(1, dims);
            w.Varint(2, (long)type);
            w.String(8, name);
            w.Bytes(9, bytes);
        });
        return name;
    }

    private static void Check(string name, int count, long[] dims)
    {
        var expected = dims.Aggregate(1L, (n, d) => n * d);
        if (expected != count)
        {
            throw new ArgumentException($"ONNX initializer '{name}': {count} values for dims [{string.Join(", ", dims)}] ({expected})");
        }
    }

    private void Claim(string name)
    {
        if (!_names.Add(name))
        {
            throw new ArgumentException($"ONNX graph '{_name}': the name '{name}' is used twice");
        }
    }

    private string Fresh(string prefix)
    {
        string name;
        do
        {
            name = $"{prefix}_{_counter++}";
        }
        while (!_names.Add(name));
        return name;
    }

    // ValueInfoProto: name 1, type 2 → TypeProto.tensor_type 1 → elem_type 1, shape 2 → dim 1 → dim_value 1 | dim_param 2.
    private static void ValueInfo(ProtoWriter writer, string name, OnnxDataType type, object[] dims)
    {
        writer.String(1, name);
        writer.Message(2, t => t.Message(1, tensor =>
        {
            tensor.Varint(1, (long)type);
            tensor.Message(2, shape =>
            {
                foreach (var dim in dims)
                {
                    shape.Message(1, d =>
                    {
                        switch (dim)
                        {
                            case string symbol: d.String(2, symbol); break;
                            case int size: d.Varint(1, size); break;
                            case long size: d.Varint(1, size); break;
                            default: throw new ArgumentException($"ONNX value '{name}': a dimension must be a size or a name, not {dim?.GetType().Name ?? "null"}");
                        }
                    });
                }
            });
        }));
    }
}
