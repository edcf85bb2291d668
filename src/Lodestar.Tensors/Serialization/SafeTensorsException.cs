// The one exception type the safetensors reader and writer raise for bad files and bad requests, with a
// machine-checkable reason so tests (and callers) can tell a truncated file from an overlapping one.
namespace Lodestar.Tensors.Serialization;

/// <summary>What is wrong with a safetensors file or with a request made of it.</summary>
public enum SafeTensorsError
{
    /// <summary>Fewer than the 8 bytes that hold the header length.</summary>
    FileTooShort,
    /// <summary>The declared header length exceeds <see cref="SafeTensorsFile.MaxHeaderBytes"/>.</summary>
    HeaderTooLarge,
    /// <summary>The declared header length runs past the end of the file.</summary>
    HeaderPastEndOfFile,
    /// <summary>The header bytes are not valid UTF-8.</summary>
    HeaderNotUtf8,
    /// <summary>The header is not a JSON object.</summary>
    HeaderNotJson,
    /// <summary>A tensor name appears twice in the header.</summary>
    DuplicateName,
    /// <summary>A tensor entry lacks dtype/shape/data_offsets, has other fields, or a field has the wrong JSON type.</summary>
    InvalidTensorInfo,
    /// <summary>The dtype tag is not one safetensors defines.</summary>
    UnknownDType,
    /// <summary>A dimension is negative, fractional or too large.</summary>
    InvalidShape,
    /// <summary>data_offsets is not [begin, end] with 0 ≤ begin ≤ end.</summary>
    InvalidOffsets,
    /// <summary>The element count or byte size of a shape overflows 64 bits.</summary>
    SizeOverflow,
    /// <summary>end − begin differs from elements × dtype size.</summary>
    SizeMismatch,
    /// <summary>data_offsets reach past the end of the byte buffer.</summary>
    OffsetsOutOfRange,
    /// <summary>Two tensors share bytes.</summary>
    Overlap,
    /// <summary>Bytes between tensors (or before the first) belong to no tensor.</summary>
    Gap,
    /// <summary>Bytes after the last tensor belong to no tensor.</summary>
    TrailingBytes,
    /// <summary>__metadata__ is not an object of string values.</summary>
    MetadataNotString,
    /// <summary>The requested tensor is not in the file.</summary>
    TensorNotFound,
    /// <summary>The requested typed view does not match the tensor's dtype.</summary>
    WrongDType,
    /// <summary>A tensor larger than one span (2 GiB) was requested as a span.</summary>
    TensorTooLarge,
}

/// <summary>A safetensors file (or a request of it) is invalid; the message names the file, the tensor and the fault.</summary>
public sealed class SafeTensorsException : Exception
{
    public SafeTensorsException(SafeTensorsError error, string source, string? tensorName, string detail)
        : base(Describe(source, tensorName, detail))
    {
        Error = error;
        FilePath = source;
        TensorName = tensorName;
    }

    public SafeTensorsError Error { get; }

    /// <summary>The file path (or the in-memory source name) the fault was found in.</summary>
    public string FilePath { get; }

    /// <summary>The tensor the fault concerns, when it concerns one.</summary>
    public string? TensorName { get; }

    private static string Describe(string source, string? tensorName, string detail) =>
        tensorName is null ? $"{source}: {detail}" : $"{source}: tensor '{tensorName}': {detail}";
}
