// Interoperability of Lodestar's safetensors code with other writers and readers: byte vectors from
// Hugging Face's own test suite, and a file written by the pure-Python writer under tools/golden.
using System.Runtime.InteropServices;
using Lodestar.TestSupport;
using Lodestar.Tensors.Serialization;

namespace Lodestar.Tensors.Tests;

public sealed class SerializationInteropTests
{
    private static readonly Dictionary<string, string> InteropMetadata = new()
    {
        ["format"] = "pt",
        ["note"] = "é ü 中 \"quoted\" \\ back\nslash\ttab",
    };

    // safetensors/src/tensor.rs, test_serialization: {"attn.0": F32 [1,2,3] = 0..5}.
    private static readonly byte[] HuggingFaceAttn0 =
    [
        64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
        116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
        58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
        101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
        0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ];

    // safetensors/src/tensor.rs, test_serialization_forced_alignement: {"attn0": F32 [1,1,2,3]}, padded header.
    private static readonly byte[] HuggingFaceAttn0Padded =
    [
        72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
        121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
        91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
        115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
        32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
        160, 64,
    ];

    // safetensors/src/tensor.rs, test_empty: no tensors, metadata {"framework": "pt"}.
    private static readonly byte[] HuggingFaceEmptyWithMetadata =
    [
        40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
        95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
        116, 34, 125, 125, 32, 32, 32, 32, 32,
    ];

    [Fact]
    public void WriterReproducesHuggingFaceSerializerBytes()
    {
        var values = new float[] { 0, 1, 2, 3, 4, 5 };
        var writer = new SafeTensorsWriter();
        writer.Add("attn.0", values, 1, 2, 3);
        Assert.Equal(HuggingFaceAttn0, writer.ToBytes());

        var padded = new SafeTensorsWriter();
        padded.Add("attn0", values, 1, 1, 2, 3);
        Assert.Equal(HuggingFaceAttn0Padded, padded.ToBytes());

        Assert.Equal(HuggingFaceEmptyWithMetadata, new SafeTensorsWriter().ToBytes(new Dictionary<string, string> { ["framework"] = "pt" }));
        Assert.Equal(new byte[] { 8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32 }, new SafeTensorsWriter().ToBytes());
    }

    [Fact]
    public void ReaderAcceptsHuggingFaceSerializerBytes()
    {
        using var file = SafeTensorsFile.Parse(HuggingFaceAttn0Padded, "hf");
        Assert.Equal([0f, 1, 2, 3, 4, 5], file.GetFloat32("attn0").ToArray());
        Assert.Equal([1L, 1, 2, 3], file["attn0"].Shape);
        using var empty = SafeTensorsFile.Parse(HuggingFaceEmptyWithMetadata, "hf");
        Assert.Equal("pt", empty.Metadata["framework"]);
    }

    [Fact]
    public void ReadsThePythonWrittenFileAndRewritesItByteForByte()
    {
        var path = RepoPaths.Golden("interop_python.safetensors");
        using var file = SafeTensorsFile.Read(path);
        Assert.Equal(InteropMetadata, file.Metadata);

        // The formulas of tools/golden/make_interop_golden.py.
        var f32 = Enumerable.Range(0, 24).Select(i => i * 0.25f - 3).ToArray();
        var f64 = Enumerable.Range(0, 6).Select(i => i / 3.0).ToArray();
        var f16 = Enumerable.Range(0, 4).Select(i => (Half)(i * 0.5f - 1)).ToArray();
        var bf16 = Enumerable.Range(0, 4).Select(i => i * 2f - 3).ToArray();
        var i64 = Enumerable.Range(0, 5).Select(i => (i - 2) * 1_000_000_007L).ToArray();
        var i32 = Enumerable.Range(0, 3).Select(i => i * -7).ToArray();
        var i16 = Enumerable.Range(0, 2).Select(i => (short)(i - 300)).ToArray();
        var i8 = Enumerable.Range(0, 3).Select(i => (sbyte)(i - 1)).ToArray();
        var u8 = Enumerable.Range(0, 6).Select(i => (byte)(i * 50)).ToArray();
        var flags = new[] { true, false, true };

        Assert.Equal(f32, file.GetFloat32("f32").ToArray());
        Assert.Equal([2L, 3, 4], file["f32"].Shape);
        Assert.Equal(f64, file.GetFloat64("f64").ToArray());
        Assert.Equal(f16, file.GetFloat16("f16").ToArray());
        Assert.Equal(bf16, file.ToFloat32Array("bf16"));
        Assert.Equal(i64, file.GetInt64("i64").ToArray());
        Assert.Equal(i32, file.GetInt32("i32").ToArray());
        Assert.Equal(i16, file.GetInt16("i16").ToArray());
        Assert.Equal(i8, file.GetInt8("i8").ToArray());
        Assert.Equal(u8, file.GetUInt8("u8").ToArray());
        Assert.Equal(flags, file.GetBool("bool").ToArray());
        Assert.Equal(2.5f, file.GetFloat32("scalar")[0]);
        Assert.Equal([0L, 3], file["a.empty"].Shape);

        var writer = new SafeTensorsWriter();
        writer.Add("f32", f32, 2, 3, 4);
        writer.Add("f64", f64, 6);
        writer.Add("f16", f16, 4);
        writer.AddRaw("bf16", SafeTensorsDType.BF16, MemoryMarshal.AsBytes(bf16.Select(v => (ushort)(BitConverter.SingleToInt32Bits(v) >> 16)).ToArray().AsSpan()), 4);
        writer.Add("i64", i64, 5);
        writer.Add("i32", i32, 3);
        writer.Add("i16", i16, 2);
        writer.Add("i8", i8, 3);
        writer.Add("u8", u8, 2, 3);
        writer.Add("bool", flags, 3);
        writer.Add("scalar", [2.5f]);
        writer.Add("a.empty", ReadOnlySpan<float>.Empty, 0, 3);
        Assert.Equal(File.ReadAllBytes(path), writer.ToBytes(InteropMetadata));
    }
}
