// Round trips through the safetensors writer and reader: every dtype, metadata, determinism, and the
// atomic save that leaves the previous file intact when a write fails.
using System.Runtime.InteropServices;
using Lodestar.Core;
using Lodestar.Tensors.Serialization;

namespace Lodestar.Tensors.Tests;

public sealed class SerializationRoundTripTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Saves {"w": values} as model.safetensors in the test's directory and returns the path.</summary>
    private string SaveModel(params float[] values)
    {
        var path = Path.Combine(_directory, "model.safetensors");
        var writer = new SafeTensorsWriter();
        writer.Add("w", values, values.Length);
        writer.Save(path);
        return path;
    }

    [Fact]
    public void EveryDTypeRoundTripsThroughAFile()
    {
        var random = new Random(7);
        var f32 = Enumerable.Range(0, 24).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var f64 = Enumerable.Range(0, 5).Select(_ => random.NextDouble()).ToArray();
        var f16 = new[] { (Half)1.5f, (Half)(-2.25f), Half.MaxValue };
        var i64 = new long[] { long.MinValue, -1, 0, 1, long.MaxValue, 42 };
        var i32 = new[] { int.MinValue, 0, int.MaxValue };
        var i16 = new short[] { -3, 3 };
        var i8 = new sbyte[] { -128, 127, 0 };
        var u8 = new byte[] { 0, 1, 255, 7 };
        var flags = new[] { true, false, true };
        var bf16 = new byte[] { 0x80, 0x3f, 0x00, 0xc0 }; // 1.0 and -2.0 as bfloat16

        var writer = new SafeTensorsWriter();
        writer.Add("weights.f32", f32, 2, 3, 4);
        writer.Add("f64", f64, 5);
        writer.Add("f16", f16, 3);
        writer.Add("tokens", i64, 2, 3);
        writer.Add("i32", i32, 3);
        writer.Add("i16", i16, 2);
        writer.Add("i8", i8, 3);
        writer.Add("u8", u8, 2, 2);
        writer.Add("mask", flags, 3);
        writer.AddRaw("bf16", SafeTensorsDType.BF16, bf16, 2);
        writer.Add("scalar", [3.5f]);
        writer.Add("empty", ReadOnlySpan<float>.Empty, 0, 4);
        var path = Path.Combine(_directory, "all.safetensors");
        writer.Save(path, new Dictionary<string, string> { ["config"] = "{\"d\": 32}", ["note"] = "é \"quoted\"\n" });

        using var file = SafeTensorsFile.Read(path);
        Assert.Equal(12, file.Entries.Count);
        Assert.Equal(f32, file.GetFloat32("weights.f32").ToArray());
        Assert.Equal([2L, 3, 4], file["weights.f32"].Shape);
        Assert.Equal(f64, file.GetFloat64("f64").ToArray());
        Assert.Equal(f16, file.GetFloat16("f16").ToArray());
        Assert.Equal(i64, file.GetInt64("tokens").ToArray());
        Assert.Equal(i32, file.GetInt32("i32").ToArray());
        Assert.Equal(i16, file.GetInt16("i16").ToArray());
        Assert.Equal(i8, file.GetInt8("i8").ToArray());
        Assert.Equal(u8, file.GetUInt8("u8").ToArray());
        Assert.Equal(flags, file.GetBool("mask").ToArray());
        Assert.Equal(SafeTensorsDType.BF16, file["bf16"].DType);
        Assert.Equal([1.0f, -2.0f], file.ToFloat32Array("bf16"));
        Assert.Equal([1.5f, -2.25f, 65504f], file.ToFloat32Array("f16"));
        Assert.Equal(f64.Select(v => (float)v), file.ToFloat32Array("f64"));
        Assert.Equal(f32, file.ToFloat32Array("weights.f32"));
        Assert.Equal(i32, file.ToInt32Array("i32"));
        Assert.Equal(i8.Select(v => (int)v), file.ToInt32Array("i8"));
        Assert.Equal(u8.Select(v => (int)v), file.ToInt32Array("u8"));
        Assert.Equal(SafeTensorsError.WrongDType, Assert.Throws<SafeTensorsException>(() => file.ToInt32Array("tokens")).Error);
        Assert.Equal(SafeTensorsError.WrongDType, Assert.Throws<SafeTensorsException>(() => file.ToFloat32Array("tokens")).Error);
        Assert.Empty(file["scalar"].Shape);
        Assert.Equal(3.5f, file.GetFloat32("scalar")[0]);
        Assert.Equal(0, file.GetFloat32("empty").Length);
        Assert.Equal("{\"d\": 32}", file.Metadata["config"]);
        Assert.Equal("é \"quoted\"\n", file.Metadata["note"]);
    }

    [Fact]
    public void TensorsAreNaturallyAlignedAndBytesAreDeterministic()
    {
        byte[] Build(int seed, bool reversed)
        {
            var writer = new SafeTensorsWriter();
            var names = new[] { "b", "a", "c" };
            foreach (var name in reversed ? names.Reverse() : names)
            {
                writer.Add(name + ".u8", new byte[] { 1, 2, 3 }, 3);
                writer.Add(name + ".f32", new[] { seed, 2f }, 2);
                writer.Add(name + ".i64", new long[] { 5 }, 1);
            }
            return writer.ToBytes(new Dictionary<string, string> { ["z"] = "1", ["a"] = "2" });
        }

        var bytes = Build(1, reversed: false);
        Assert.Equal(bytes, Build(1, reversed: true));
        Assert.NotEqual(bytes, Build(2, reversed: false));

        using var file = SafeTensorsFile.Parse(bytes);
        var headerLength = (long)BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0, headerLength % 8);
        foreach (var entry in file.Entries)
        {
            Assert.Equal(0, (8 + headerLength + entry.DataBegin) % entry.DType.SizeInBytes());
        }
        Assert.Equal(["a.i64", "b.i64", "c.i64", "a.f32", "b.f32", "c.f32", "a.u8", "b.u8", "c.u8"],
            file.Entries.OrderBy(e => e.DataBegin).Select(e => e.Name));
    }

    [Fact]
    public void TypedAccessChecksTheDType()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("tokens", new long[] { 1, 2 }, 2);
        using var file = SafeTensorsFile.Parse(writer.ToBytes(), "tokens.safetensors");

        var wrong = Assert.Throws<SafeTensorsException>(() => file.GetFloat32("tokens").ToArray());
        Assert.Equal(SafeTensorsError.WrongDType, wrong.Error);
        Assert.Contains("tokens.safetensors: tensor 'tokens': is I64 (2,), not F32", wrong.Message, StringComparison.Ordinal);

        var missing = Assert.Throws<SafeTensorsException>(() => file["labels"]);
        Assert.Equal(SafeTensorsError.TensorNotFound, missing.Error);
        Assert.Equal("labels", missing.TensorName);
    }

    [Fact]
    public void TokenIdsWidenFromInt64WhenTheyFitAnInt()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("tokens", new long[] { 0, 5, int.MaxValue }, 3);
        using var file = SafeTensorsFile.Parse(writer.ToBytes());
        Assert.Equal([0, 5, int.MaxValue], file.ToInt32Array("tokens"));
    }

    [Fact]
    public void WriterRejectsBadRequests()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("x", new float[6], 2, 3);
        Assert.Throws<ArgumentException>(() => writer.Add("x", new float[1], 1));
        Assert.Throws<ArgumentException>(() => writer.Add("__metadata__", new float[1], 1));
        Assert.Throws<ArgumentException>(() => writer.Add("", new float[1], 1));
        Assert.Throws<ArgumentException>(() => writer.Add("y", new float[6], 4, 2));
        Assert.Throws<ArgumentException>(() => writer.Add("z", new float[0], -1, 0));
        Assert.Throws<ArgumentException>(() => writer.AddRaw("bf", SafeTensorsDType.BF16, new byte[3], 2));
        Assert.Equal(1, writer.Count);
    }

    [Fact]
    public void SaveReplacesTheFileAndLeavesNoTempFiles()
    {
        File.WriteAllText(Path.Combine(_directory, "model.safetensors"), "old content");
        var path = SaveModel(1f, 2f);

        var expected = new SafeTensorsWriter();
        expected.Add("w", new[] { 1f, 2f }, 2);
        Assert.Equal(expected.ToBytes(), File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void FailedWriteLeavesTheOldFileIntact()
    {
        var path = SaveModel(1f, 2f);
        var before = File.ReadAllBytes(path);

        var failure = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[4096]);
            stream.Flush();
            throw new IOException("disk full (simulated by the test's write callback)");
        }));
        Assert.Contains("disk full", failure.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void AMappedFileStaysReadableWhileANewVersionIsSaved()
    {
        var path = SaveModel(1f, 2f);
        using var old = SafeTensorsFile.Read(path);
        SaveModel(3f, 4f, 5f);

        Assert.Equal([1f, 2f], old.GetFloat32("w").ToArray());
        using var fresh = SafeTensorsFile.Read(path);
        Assert.Equal([3f, 4f, 5f], fresh.GetFloat32("w").ToArray());
    }

    [Fact]
    public void ReadingAfterDisposeThrowsInsteadOfTouchingUnmappedMemory()
    {
        var path = SaveModel(1f);
        var file = SafeTensorsFile.Read(path);
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.GetFloat32("w").ToArray());
    }

    [Fact]
    public void FloatValuesSurviveBitForBit()
    {
        var special = new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, float.Epsilon, float.MaxValue };
        var writer = new SafeTensorsWriter();
        writer.Add("s", special, special.Length);
        using var file = SafeTensorsFile.Parse(writer.ToBytes());
        Assert.Equal(MemoryMarshal.AsBytes(special.AsSpan()).ToArray(), file.GetBytes("s").ToArray());
    }
}
