// A checksum of a set of tensors: SHA-256 over every tensor in ordinal name order, each as its name, dtype tag, shape
// and little-endian bytes, so it does not depend on where the bytes sit in a file. A checkpoint records it in its
// metadata when written and is checked against it when read: a flipped bit in any weight is found at load.
using System.Security.Cryptography;
using System.Text;

namespace Lodestar.Tensors.Serialization;

public static class TensorDigest
{
    /// <summary>The digest of a writer's tensors, as lower-case hex.</summary>
    public static string Of(SafeTensorsWriter writer) => Compute(writer.Tensors);

    /// <summary>The digest of a file's tensors, as lower-case hex.</summary>
    public static string Of(SafeTensorsFile file)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var entry in file.Entries.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            Append(hash, entry.Name, entry.DType, entry.Shape, file.GetBytes(entry.Name));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string Compute(IEnumerable<(string Name, SafeTensorsDType DType, IReadOnlyList<long> Shape, byte[] Bytes)> tensors)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, dtype, shape, bytes) in tensors.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            Append(hash, name, dtype, shape, bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Append(IncrementalHash hash, string name, SafeTensorsDType dtype, IReadOnlyList<long> shape, ReadOnlySpan<byte> bytes)
    {
        hash.AppendData(Encoding.UTF8.GetBytes($"{name}\n{dtype.Tag()}\n{string.Join(',', shape)}\n{bytes.Length}\n"));
        hash.AppendData(bytes);
    }
}
