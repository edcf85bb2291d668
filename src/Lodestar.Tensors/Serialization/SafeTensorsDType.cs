// The element types a safetensors file may declare, in Hugging Face's order of increasing alignment
// (the writer sorts by that order, descending, so every tensor in the byte buffer is naturally aligned).
namespace Lodestar.Tensors.Serialization;

/// <summary>Element type of a safetensors tensor. Declaration order is Hugging Face's alignment order; do not reorder.</summary>
public enum SafeTensorsDType
{
    Bool,
    U8,
    I8,
    F8E5M2,
    F8E4M3,
    I16,
    U16,
    F16,
    BF16,
    I32,
    U32,
    F32,
    F64,
    I64,
    U64,
}

public static class SafeTensorsDTypes
{
    /// <summary>Bytes per element.</summary>
    public static int SizeInBytes(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.Bool or SafeTensorsDType.U8 or SafeTensorsDType.I8
            or SafeTensorsDType.F8E5M2 or SafeTensorsDType.F8E4M3 => 1,
        SafeTensorsDType.I16 or SafeTensorsDType.U16 or SafeTensorsDType.F16 or SafeTensorsDType.BF16 => 2,
        SafeTensorsDType.I32 or SafeTensorsDType.U32 or SafeTensorsDType.F32 => 4,
        SafeTensorsDType.F64 or SafeTensorsDType.I64 or SafeTensorsDType.U64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a safetensors dtype"),
    };

    /// <summary>The tag written in the header ("F32", "BF16", "F8_E4M3", ...).</summary>
    public static string Tag(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.Bool => "BOOL",
        SafeTensorsDType.F8E5M2 => "F8_E5M2",
        SafeTensorsDType.F8E4M3 => "F8_E4M3",
        SafeTensorsDType.U8 or SafeTensorsDType.I8 or SafeTensorsDType.I16 or SafeTensorsDType.U16
            or SafeTensorsDType.F16 or SafeTensorsDType.BF16 or SafeTensorsDType.I32 or SafeTensorsDType.U32
            or SafeTensorsDType.F32 or SafeTensorsDType.F64 or SafeTensorsDType.I64 or SafeTensorsDType.U64 => dtype.ToString(),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a safetensors dtype"),
    };

    /// <summary>Parses a header tag; tags are case-sensitive, as in Hugging Face's reader.</summary>
    public static bool TryParseTag(string tag, out SafeTensorsDType dtype)
    {
        foreach (var candidate in Enum.GetValues<SafeTensorsDType>())
        {
            if (string.Equals(candidate.Tag(), tag, StringComparison.Ordinal))
            {
                dtype = candidate;
                return true;
            }
        }
        dtype = default;
        return false;
    }
}
