// Each way a safetensors file can be malformed raises SafeTensorsException with its own reason, naming
// the file and (when there is one) the tensor, before any out-of-range byte is read.
using System.Buffers.Binary;
using System.Text;
using Lodestar.Tensors.Serialization;

namespace Lodestar.Tensors.Tests;

public sealed class SerializationMalformedTests
{
    private const string Source = "bad.safetensors";

    /// <summary>A file from a literal header and a zero-filled byte buffer.</summary>
    internal static byte[] Compose(string header, int bufferBytes) => Compose(Encoding.UTF8.GetBytes(header), bufferBytes);

    internal static byte[] Compose(byte[] header, int bufferBytes)
    {
        var bytes = new byte[8 + header.Length + bufferBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        return bytes;
    }

    private static SafeTensorsException Rejects(byte[] bytes, SafeTensorsError expected)
    {
        var error = Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Parse(bytes, Source));
        Assert.Equal(expected, error.Error);
        Assert.StartsWith(Source + ": ", error.Message, StringComparison.Ordinal);
        return error;
    }

    private static byte[] Valid()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("a", new[] { 1f, 2f, 3f, 4f }, 2, 2);
        writer.Add("b", new long[] { 7 }, 1);
        return writer.ToBytes(new Dictionary<string, string> { ["k"] = "v" });
    }

    [Fact]
    public void ValidBaselineParses()
    {
        using var file = SafeTensorsFile.Parse(Valid(), Source);
        Assert.Equal(2, file.Entries.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void FileShorterThanTheLengthPrefix(int length) =>
        Rejects(Valid()[..length], SafeTensorsError.FileTooShort);

    [Fact]
    public void TruncatedInsideTheHeader() =>
        Rejects(Valid()[..20], SafeTensorsError.HeaderPastEndOfFile);

    [Fact]
    public void TruncatedInsideTheData()
    {
        var valid = Valid();
        var error = Rejects(valid[..^3], SafeTensorsError.OffsetsOutOfRange);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OversizedHeaderLength()
    {
        var bytes = Valid();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)SafeTensorsFile.MaxHeaderBytes + 1);
        Rejects(bytes, SafeTensorsError.HeaderTooLarge);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue);
        Rejects(bytes, SafeTensorsError.HeaderTooLarge);
    }

    [Fact]
    public void HeaderLengthPastTheEndOfTheFile()
    {
        var bytes = Valid();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)bytes.Length);
        Rejects(bytes, SafeTensorsError.HeaderPastEndOfFile);
    }

    [Fact]
    public void HeaderThatIsNotUtf8() =>
        Rejects(Compose([(byte)'{', 0xC3, 0x28, (byte)'}'], 0), SafeTensorsError.HeaderNotUtf8);

    [Theory]
    [InlineData("{\"a\":")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",}}")]
    [InlineData("{} {}")]
    [InlineData("[1,2]   ")]
    [InlineData("  {}    ")]
    [InlineData("{/*c*/}")]
    public void HeaderThatIsNotAJsonObject(string header) =>
        Rejects(Compose(header, 0), SafeTensorsError.HeaderNotJson);

    [Fact]
    public void UnknownDType()
    {
        var error = Rejects(Compose("{\"w\":{\"dtype\":\"F31\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), SafeTensorsError.UnknownDType);
        Assert.Equal("w", error.TensorName);
        Assert.Contains("'F31'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DTypeTagsAreCaseSensitive() =>
        Rejects(Compose("{\"w\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), SafeTensorsError.UnknownDType);

    [Fact]
    public void OffsetsPastTheBuffer()
    {
        var error = Rejects(Compose("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8), SafeTensorsError.OffsetsOutOfRange);
        Assert.Contains("[0, 16]", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[4,0]")]
    [InlineData("[-4,0]")]
    [InlineData("[0]")]
    [InlineData("[0,4,8]")]
    [InlineData("[0,4.5]")]
    [InlineData("[0,\"4\"]")]
    [InlineData("[0,99999999999999999999]")]
    [InlineData("{\"begin\":0}")]
    public void InvalidOffsets(string offsets) =>
        Rejects(Compose($"{{\"w\":{{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":{offsets}}}}}", 4), SafeTensorsError.InvalidOffsets);

    [Fact]
    public void OverlappingTensors()
    {
        var error = Rejects(Compose(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12),
            SafeTensorsError.Overlap);
        Assert.Equal("b", error.TensorName);
        Assert.Contains("'a'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoTensorsOnTheSameBytes() =>
        Rejects(Compose(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8),
            SafeTensorsError.Overlap);

    [Fact]
    public void GapBetweenTensors() =>
        Rejects(Compose(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12),
            SafeTensorsError.Gap);

    [Fact]
    public void GapBeforeTheFirstTensor() =>
        Rejects(Compose("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), SafeTensorsError.Gap);

    [Fact]
    public void BytesAfterTheLastTensor() =>
        Rejects(Compose("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 9), SafeTensorsError.TrailingBytes);

    [Theory]
    [InlineData("[3]", "[0,16]")]
    [InlineData("[2,2]", "[0,12]")]
    [InlineData("[]", "[0,0]")]
    [InlineData("[0]", "[0,4]")]
    public void ShapeDisagreesWithTheByteSpan(string shape, string offsets)
    {
        var error = Rejects(Compose($"{{\"w\":{{\"dtype\":\"F32\",\"shape\":{shape},\"data_offsets\":{offsets}}}}}", 16), SafeTensorsError.SizeMismatch);
        Assert.Equal("w", error.TensorName);
    }

    [Fact]
    public void ShapeWhoseSizeOverflows() =>
        Rejects(Compose("{\"w\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8), SafeTensorsError.SizeOverflow);

    [Theory]
    [InlineData("[-1]")]
    [InlineData("[1.5]")]
    [InlineData("[\"2\"]")]
    [InlineData("[null]")]
    public void InvalidDimensions(string shape) =>
        Rejects(Compose($"{{\"w\":{{\"dtype\":\"U8\",\"shape\":{shape},\"data_offsets\":[0,2]}}}}", 2), SafeTensorsError.InvalidShape);

    [Theory]
    [InlineData("{\"w\":{\"dtype\":\"U8\",\"shape\":[1]}}")]
    [InlineData("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"extra\":1}}")]
    [InlineData("{\"w\":{\"dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}")]
    [InlineData("{\"w\":{\"dtype\":8,\"shape\":[1],\"data_offsets\":[0,1]}}")]
    [InlineData("{\"w\":{\"dtype\":\"U8\",\"shape\":1,\"data_offsets\":[0,1]}}")]
    [InlineData("{\"w\":[1]}")]
    public void MalformedTensorEntry(string header) =>
        Rejects(Compose(header, 1), SafeTensorsError.InvalidTensorInfo);

    [Fact]
    public void DuplicateTensorName() =>
        Rejects(Compose(
            "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2),
            SafeTensorsError.DuplicateName);

    [Theory]
    [InlineData("{\"k\":1}")]
    [InlineData("{\"k\":{\"nested\":\"x\"}}")]
    [InlineData("{\"k\":[\"x\"]}")]
    [InlineData("{\"k\":null}")]
    [InlineData("{\"k\":true}")]
    [InlineData("\"text\"")]
    public void MetadataThatIsNotStrings(string metadata)
    {
        var error = Rejects(Compose($"{{\"__metadata__\":{metadata}}}", 0), SafeTensorsError.MetadataNotString);
        Assert.Contains("__metadata__", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullMetadataAndPaddingAreAccepted()
    {
        using var file = SafeTensorsFile.Parse(Compose("{\"__metadata__\":null}       ", 0), Source);
        Assert.Empty(file.Metadata);
        Assert.Empty(file.Entries);
    }

    [Fact]
    public void AFileOnDiskNamesItsPathInErrors()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lodestar-bad-{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, Compose("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8));
        try
        {
            var error = Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Read(path));
            Assert.Equal(SafeTensorsError.OffsetsOutOfRange, error.Error);
            Assert.StartsWith(path + ": tensor 'w': ", error.Message, StringComparison.Ordinal);

            File.WriteAllBytes(path, []);
            Assert.Equal(SafeTensorsError.FileTooShort, Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Read(path)).Error);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
