// The snapshot file of an exact index: a 64-byte header (magic, format version, dimension, dtype, count and two
// XxHash3 checksums, one of the header and one of the body), then the ids, the creation times and the
// unit-length vectors of the live items, little-endian. Written atomically; opened with its vectors memory-mapped,
// and used only after every field and both checksums check out, so a truncated, corrupt or hostile file gives a
// precise error and no read outside it. (A file truncated by another process while mapped is beyond any check:
// snapshots are only ever replaced by rename, which leaves a mapped one whole.)
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Lodestar.Core;

namespace Lodestar.Index;

internal static unsafe class IndexSnapshot
{
    public const int HeaderBytes = 64;
    public const uint FormatVersion = 1;
    public const uint Float32 = 0;
    public const int MaxDimension = 1 << 16;
    private static ReadOnlySpan<byte> Magic => "LSIX"u8;

    /// <summary>Bytes of one item in the body: id, creation time, D floats.</summary>
    public static long ItemBytes(int dimension) => 16L + 4L * dimension;

    /// <summary>Writes ids (N), createdAt (N) and vectors (N, D) to <paramref name="path"/>, replacing it atomically.</summary>
    public static void Write(string path, int dimension, ReadOnlySpan<long> ids, ReadOnlySpan<long> createdAt, ReadOnlySpan<float> vectors)
    {
        RequireLittleEndian();
        var body = new XxHash3();
        var idBytes = MemoryMarshal.AsBytes(ids);
        var timeBytes = MemoryMarshal.AsBytes(createdAt);
        var vectorBytes = MemoryMarshal.AsBytes(vectors);
        body.Append(idBytes);
        body.Append(timeBytes);
        body.Append(vectorBytes);
        Span<byte> header = stackalloc byte[HeaderBytes];
        header.Clear();
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], FormatVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)dimension);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], Float32);
        BinaryPrimitives.WriteUInt64LittleEndian(header[16..], (ulong)ids.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(header[24..], body.GetCurrentHashAsUInt64());
        BinaryPrimitives.WriteUInt64LittleEndian(header[32..], XxHash3.HashToUInt64(header[..32]));
        var stream = AtomicFile.CreateTemp(path, 1 << 20);
        try
        {
            stream.Write(header);
            stream.Write(idBytes);
            stream.Write(timeBytes);
            stream.Write(vectorBytes);
        }
        catch
        {
            AtomicFile.Abandon(stream);
            throw;
        }
        AtomicFile.Commit(stream, path);
    }

    /// <summary>
    /// Opens and checks a snapshot: ids and creation times are read into arrays, the vectors are a copy-on-write view
    /// of the file (the caller disposes it). Throws <see cref="InvalidDataException"/> naming the path and what is wrong.
    /// </summary>
    public static (int Dimension, long[] Ids, long[] CreatedAt, VectorRows Vectors) Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no index snapshot", path);
        }
        RequireLittleEndian();
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        VectorRows? vectors = null;
        try
        {
            var (dimension, n) = ReadHeader(path, stream, out var bodyHash);
            var ids = new long[n];
            var createdAt = new long[n];
            stream.ReadExactly(MemoryMarshal.AsBytes(ids.AsSpan()));
            stream.ReadExactly(MemoryMarshal.AsBytes(createdAt.AsSpan()));
            var vectorOffset = stream.Position;
            vectors = n == 0 ? VectorRows.Allocate(dimension) : VectorRows.Map(stream, vectorOffset, (long)n * dimension);
            var body = new XxHash3();
            body.Append(MemoryMarshal.AsBytes(ids.AsSpan()));
            body.Append(MemoryMarshal.AsBytes(createdAt.AsSpan()));
            var vectorBytes = (long)n * dimension * sizeof(float);
            for (long done = 0; done < vectorBytes; done += HashPieceBytes)
            {
                body.Append(new ReadOnlySpan<byte>((byte*)vectors.Pointer + done, (int)Math.Min(HashPieceBytes, vectorBytes - done)));
            }
            if (body.GetCurrentHashAsUInt64() != bodyHash)
            {
                throw Bad(path, "the body checksum does not match: ids, times or vectors are corrupt");
            }
            return (dimension, ids, createdAt, vectors);
        }
        catch
        {
            vectors?.Dispose();
            throw;
        }
        finally
        {
            // A mapping stays valid once its file is closed.
            stream.Dispose();
        }
    }

    /// <summary>Bytes hashed per call: spans are indexed by int.</summary>
    private const long HashPieceBytes = 1L << 30;

    /// <summary>Checks the header and that the body holds exactly what it promises; returns D, N and the body's checksum.</summary>
    private static (int Dimension, int Count) ReadHeader(string path, FileStream stream, out ulong bodyHash)
    {
        var length = stream.Length;
        if (length < HeaderBytes)
        {
            throw Bad(path, $"{length} bytes is shorter than the {HeaderBytes}-byte header");
        }
        Span<byte> header = stackalloc byte[HeaderBytes];
        stream.ReadExactly(header);
        if (!header[..4].SequenceEqual(Magic))
        {
            throw Bad(path, "not a Lodestar index snapshot (the file does not start with LSIX)");
        }
        if (BinaryPrimitives.ReadUInt64LittleEndian(header[32..]) != XxHash3.HashToUInt64(header[..32]))
        {
            throw Bad(path, "the header checksum does not match: the header is corrupt");
        }
        var version = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        if (version != FormatVersion)
        {
            throw Bad(path, $"format version {version}; this build reads version {FormatVersion}");
        }
        var dimension = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (dimension is 0 or > MaxDimension)
        {
            throw Bad(path, $"dimension {dimension} is outside 1..{MaxDimension}");
        }
        var dtype = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        if (dtype != Float32)
        {
            throw Bad(path, $"dtype {dtype} is not float32 ({Float32})");
        }
        var count = BinaryPrimitives.ReadUInt64LittleEndian(header[16..]);
        var itemBytes = (ulong)ItemBytes((int)dimension);
        var bodyBytes = (ulong)(length - HeaderBytes);
        if (count > bodyBytes / itemBytes || count * itemBytes != bodyBytes)
        {
            throw Bad(path, $"the header promises {count} items of {itemBytes} bytes, the body has {bodyBytes} bytes (truncated or extended)");
        }
        if (count * dimension > (ulong)Array.MaxLength)
        {
            throw Bad(path, $"{count} items × D {dimension} exceed the {Array.MaxLength} floats an index holds");
        }
        bodyHash = BinaryPrimitives.ReadUInt64LittleEndian(header[24..]);
        return ((int)dimension, (int)count);
    }

    // The body is the in-memory layout of the arrays; the format is little-endian, as every machine .NET runs on here.
    private static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("index snapshots are little-endian and this machine is not");
        }
    }

    private static InvalidDataException Bad(string path, string problem) => new($"{path}: {problem}");
}
