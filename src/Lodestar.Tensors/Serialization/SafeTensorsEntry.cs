// One tensor's header record in a safetensors file: name, dtype, shape and where its bytes lie in the
// byte buffer (offsets relative to the buffer that follows the JSON header).
namespace Lodestar.Tensors.Serialization;

public sealed class SafeTensorsEntry
{
    internal SafeTensorsEntry(string name, SafeTensorsDType dtype, long[] shape, long elementCount, long dataBegin, long dataEnd)
    {
        Name = name;
        DType = dtype;
        Shape = shape;
        ElementCount = elementCount;
        DataBegin = dataBegin;
        DataEnd = dataEnd;
    }

    public string Name { get; }

    public SafeTensorsDType DType { get; }

    /// <summary>Row-major (C order) dimensions; empty for a scalar.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>First byte of the tensor, relative to the start of the byte buffer.</summary>
    public long DataBegin { get; }

    /// <summary>One past the last byte, relative to the start of the byte buffer.</summary>
    public long DataEnd { get; }

    public long ByteLength => DataEnd - DataBegin;

    /// <summary>Shape as PyTorch prints it, e.g. "(3, 12)".</summary>
    public string ShapeText => Shape.Count == 1 ? $"({Shape[0]},)" : $"({string.Join(", ", Shape)})";
}
