// Reads a safetensors file (Hugging Face's format: u64 little-endian header length N, N bytes of JSON,
// then the tensors' bytes) by memory-mapping it, validating everything before any tensor is touched.
using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace Lodestar.Tensors.Serialization;

/// <summary>
/// A validated safetensors file. Tensor spans point into the mapped file (or the given array): they are
/// valid until <see cref="Dispose"/>; copy them (<c>ToArray()</c>) to keep values longer.
/// </summary>
public sealed unsafe partial class SafeTensorsFile : IDisposable
{
    /// <summary>Largest header accepted, as in Hugging Face's reader (100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private readonly Dictionary<string, SafeTensorsEntry> _byName;
    private readonly byte[]? _array;
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _pointer;
    private readonly long _bufferStart;
    private bool _disposed;

    private SafeTensorsFile(string source, byte[]? array, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* pointer, long length)
    {
        Source = source;
        _array = array;
        _map = map;
        _view = view;
        _pointer = pointer;

        if (length < 8)
        {
            throw new SafeTensorsException(SafeTensorsError.FileTooShort, source, null,
                $"{length} bytes is shorter than the 8-byte header length");
        }
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(Bytes(0, 8));
        if (headerLength > MaxHeaderBytes)
        {
            throw new SafeTensorsException(SafeTensorsError.HeaderTooLarge, source, null,
                $"header length {headerLength} exceeds the {MaxHeaderBytes}-byte maximum");
        }
        if (8 + (long)headerLength > length)
        {
            throw new SafeTensorsException(SafeTensorsError.HeaderPastEndOfFile, source, null,
                $"header length {headerLength} runs past the end of the {length}-byte file");
        }
        _bufferStart = 8 + (long)headerLength;
        var (entries, metadata) = SafeTensorsHeader.Parse(Bytes(8, (int)headerLength), length - _bufferStart, source);
        Entries = entries;
        Metadata = metadata;
        _byName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
    }

    /// <summary>The path (or in-memory name) the tensors came from; every error message starts with it.</summary>
    public string Source { get; }

    /// <summary>Tensors in header order.</summary>
    public IReadOnlyList<SafeTensorsEntry> Entries { get; }

    /// <summary>The header's __metadata__ (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Maps and validates the file at <paramref name="path"/>.</summary>
    public static SafeTensorsFile Read(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        var length = stream.Length;
        if (length < 8)
        {
            stream.Dispose();
            throw new SafeTensorsException(SafeTensorsError.FileTooShort, path, null, $"{length} bytes is shorter than the 8-byte header length");
        }

        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        byte* pointer = null;
        try
        {
            map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            return new SafeTensorsFile(path, null, map, view, pointer + view.PointerOffset, length);
        }
        catch
        {
            if (pointer != null)
            {
                view!.SafeMemoryMappedViewHandle.ReleasePointer();
            }
            view?.Dispose();
            if (map is null)
            {
                stream.Dispose();
            }
            map?.Dispose();
            throw;
        }
    }

    /// <summary>Validates a whole safetensors file held in memory (the array is used in place, not copied).</summary>
    public static SafeTensorsFile Parse(byte[] bytes, string source = "<memory>")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new SafeTensorsFile(source, bytes, null, null, null, bytes.Length);
    }

    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The header entry of <paramref name="name"/>; throws <see cref="SafeTensorsError.TensorNotFound"/> when absent.</summary>
    public SafeTensorsEntry this[string name] => _byName.TryGetValue(name, out var entry)
        ? entry
        : throw new SafeTensorsException(SafeTensorsError.TensorNotFound, Source, name, $"no such tensor (the file holds {_byName.Count})");

    /// <summary>The raw little-endian bytes of a tensor of any dtype.</summary>
    public ReadOnlySpan<byte> GetBytes(string name)
    {
        var entry = this[name];
        if (entry.ByteLength > int.MaxValue)
        {
            throw new SafeTensorsException(SafeTensorsError.TensorTooLarge, Source, name, $"{entry.ByteLength} bytes do not fit one span");
        }
        return Bytes(_bufferStart + entry.DataBegin, (int)entry.ByteLength);
    }

    public ReadOnlySpan<float> GetFloat32(string name) => Typed<float>(name, SafeTensorsDType.F32);

    public ReadOnlySpan<double> GetFloat64(string name) => Typed<double>(name, SafeTensorsDType.F64);

    public ReadOnlySpan<Half> GetFloat16(string name) => Typed<Half>(name, SafeTensorsDType.F16);

    public ReadOnlySpan<long> GetInt64(string name) => Typed<long>(name, SafeTensorsDType.I64);

    public ReadOnlySpan<int> GetInt32(string name) => Typed<int>(name, SafeTensorsDType.I32);

    public ReadOnlySpan<short> GetInt16(string name) => Typed<short>(name, SafeTensorsDType.I16);

    public ReadOnlySpan<sbyte> GetInt8(string name) => Typed<sbyte>(name, SafeTensorsDType.I8);

    public ReadOnlySpan<byte> GetUInt8(string name) => Typed<byte>(name, SafeTensorsDType.U8);

    public ReadOnlySpan<bool> GetBool(string name)
    {
        var bytes = Typed<byte>(name, SafeTensorsDType.Bool);
        foreach (var b in bytes)
        {
            if (b > 1)
            {
                throw new SafeTensorsException(SafeTensorsError.WrongDType, Source, name, $"BOOL tensor holds the byte {b}; only 0 and 1 are booleans");
            }
        }
        return MemoryMarshal.Cast<byte, bool>(bytes);
    }

    /// <summary>A copy of a floating-point tensor (F32, F64, F16 or BF16) widened or narrowed to float.</summary>
    public float[] ToFloat32Array(string name)
    {
        var entry = this[name];
        switch (entry.DType)
        {
            case SafeTensorsDType.F32:
                return GetFloat32(name).ToArray();
            case SafeTensorsDType.F64:
                {
                    var source = GetFloat64(name);
                    var result = new float[source.Length];
                    for (var i = 0; i < source.Length; i++)
                    {
                        result[i] = (float)source[i];
                    }
                    return result;
                }
            case SafeTensorsDType.F16:
                {
                    var source = GetFloat16(name);
                    var result = new float[source.Length];
                    for (var i = 0; i < source.Length; i++)
                    {
                        result[i] = (float)source[i];
                    }
                    return result;
                }
            case SafeTensorsDType.BF16:
                {
                    // bfloat16 is the upper half of an IEEE float32: shift its bits back into place.
                    var source = MemoryMarshal.Cast<byte, ushort>(GetBytes(name));
                    var result = new float[source.Length];
                    for (var i = 0; i < source.Length; i++)
                    {
                        result[i] = BitConverter.Int32BitsToSingle(source[i] << 16);
                    }
                    return result;
                }
            default:
                throw new SafeTensorsException(SafeTensorsError.WrongDType, Source, name,
                    $"is {entry.DType.Tag()} {entry.ShapeText}, not a floating-point dtype");
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map?.Dispose();
    }

    private ReadOnlySpan<T> Typed<T>(string name, SafeTensorsDType expected)
        where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors data is little-endian; typed views need a little-endian CPU");
        }
        var entry = this[name];
        if (entry.DType != expected)
        {
            throw new SafeTensorsException(SafeTensorsError.WrongDType, Source, name,
                $"is {entry.DType.Tag()} {entry.ShapeText}, not {expected.Tag()}");
        }
        return MemoryMarshal.Cast<byte, T>(GetBytes(name));
    }

    private ReadOnlySpan<byte> Bytes(long offset, int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _array is not null
            ? _array.AsSpan(checked((int)offset), length)
            : new ReadOnlySpan<byte>(_pointer + offset, length);
    }
}
