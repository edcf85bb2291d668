// Properties of the safetensors format over generated inputs (CsCheck): any set of tensors written is read back with
// the same names, types, shapes and bytes, and the metadata; any byte string is either a file or a SafeTensorsException.
using CsCheck;
using Lodestar.TestSupport;
using Lodestar.Tensors.Serialization;

namespace Lodestar.Tensors.Tests;

public sealed class SafeTensorsPropertyTests
{
    private static readonly Gen<(string Name, SafeTensorsDType DType, long[] Shape, byte[] Bytes)> Tensor =
        from name in Gen.String[Gen.Char.AlphaNumeric, 1, 12]
        from dtype in Gen.OneOf(SafeTensorsDType.F32, SafeTensorsDType.F16, SafeTensorsDType.I64, SafeTensorsDType.U8, SafeTensorsDType.I32)
        from shape in Gen.Long[0, 5].Array[0, 3]
        from bytes in Gen.Byte.Array[(int)(shape.Aggregate(1L, (n, d) => n * d) * dtype.SizeInBytes())]
        select (name, dtype, shape, bytes);

    [Fact]
    public void EveryTensorWrittenIsReadBackWithItsTypeShapeAndBytes()
    {
        Gen.Select(Tensor.Array[0, 6], Gen.String[Gen.Char.AlphaNumeric, 0, 20]).Sample((tensors, note) =>
        {
            var unique = tensors.DistinctBy(t => t.Name).ToList();
            var writer = new SafeTensorsWriter();
            foreach (var (name, dtype, shape, bytes) in unique)
            {
                writer.AddRaw(name, dtype, bytes, shape);
            }
            using var file = SafeTensorsFile.Parse(writer.ToBytes(new Dictionary<string, string> { ["note"] = note }));
            Assert.Equal(unique.Count, file.Entries.Count);
            Assert.Equal(note, file.Metadata["note"]);
            foreach (var (name, dtype, shape, bytes) in unique)
            {
                Assert.Equal(dtype, file[name].DType);
                Assert.Equal(shape, file[name].Shape);
                Assert.True(file.GetBytes(name).SequenceEqual(bytes), $"tensor {name}: bytes differ");
            }
        }, seed: RecordGens.Seed, iter: 400, threads: 1);
    }

    [Fact]
    public void AnyByteStringIsAFileOrASafeTensorsException()
    {
        // Half of the inputs start with a plausible header length, so parsing gets past the first check.
        var input = Gen.OneOf(
            Gen.Byte.Array[0, 200],
            Gen.Select(Gen.Long[0, 120], Gen.Byte.Array[0, 200], (length, rest) => BitConverter.GetBytes(length).Concat(rest).ToArray()));
        input.Sample(bytes =>
        {
            try
            {
                using var file = SafeTensorsFile.Parse(bytes);
                foreach (var entry in file.Entries)
                {
                    _ = file.GetBytes(entry.Name).Length;
                }
            }
            catch (SafeTensorsException)
            {
            }
        }, seed: RecordGens.Seed, iter: 5000, threads: 1);
    }
}
