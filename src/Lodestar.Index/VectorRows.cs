// The float32 rows of an index, outside the managed heap so the largest part of an index can come straight from
// its snapshot file: either a copy-on-write view of the file (pages are shared with the page cache, read only
// when touched, and copied privately only when an upsert or compaction writes a row; the file never changes),
// or an aligned native block. Growing always moves the rows to a larger native block.
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace Lodestar.Index;

internal sealed unsafe class VectorRows : IDisposable
{
    private const int Alignment = 64;

    private readonly MemoryMappedFile? _file;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly long _nativeBytes;
    private float* _pointer;

    private VectorRows(float* pointer, long floats, long nativeBytes, MemoryMappedFile? file, MemoryMappedViewAccessor? view)
    {
        _pointer = pointer;
        Floats = floats;
        _nativeBytes = nativeBytes;
        _file = file;
        _view = view;
        if (nativeBytes > 0)
        {
            GC.AddMemoryPressure(nativeBytes);
        }
    }

    ~VectorRows() => Release();

    /// <summary>Floats the rows can hold.</summary>
    public long Floats { get; }

    /// <summary>True when the rows are a view of a snapshot file rather than native memory.</summary>
    public bool IsMapped => _view is not null;

    /// <summary>The first float; valid until <see cref="Dispose"/>.</summary>
    public float* Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pointer == null, this);
            return _pointer;
        }
    }

    /// <summary>A zeroed native block of <paramref name="floats"/> floats (at least one), 64-byte aligned.</summary>
    public static VectorRows Allocate(long floats)
    {
        var bytes = Math.Max(1, floats) * sizeof(float);
        var pointer = (float*)NativeMemory.AlignedAlloc((nuint)bytes, Alignment);
        NativeMemory.Clear(pointer, (nuint)bytes);
        return new VectorRows(pointer, Math.Max(1, floats), bytes, null, null);
    }

    /// <summary>
    /// A copy-on-write view of <paramref name="floats"/> floats at byte <paramref name="offset"/> of the open file
    /// <paramref name="stream"/>, whose length the caller has checked covers them.
    /// </summary>
    public static VectorRows Map(FileStream stream, long offset, long floats)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(floats, 1);
        var file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.CopyOnWrite, HandleInheritability.None, leaveOpen: true);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = file.CreateViewAccessor(offset, floats * sizeof(float), MemoryMappedFileAccess.CopyOnWrite);
            byte* start = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            return new VectorRows((float*)(start + view.PointerOffset), floats, 0, file, view);
        }
        catch
        {
            view?.Dispose();
            file.Dispose();
            throw;
        }
    }

    /// <summary>Rows [0, <paramref name="keep"/>) floats copied into a native block of <paramref name="floats"/>; this one is disposed.</summary>
    public VectorRows Grow(long floats, long keep)
    {
        var larger = Allocate(floats);
        Buffer.MemoryCopy(Pointer, larger._pointer, floats * sizeof(float), keep * sizeof(float));
        Dispose();
        return larger;
    }

    /// <summary>The floats [start, start + length).</summary>
    public Span<float> Slice(long start, int length)
    {
        if ((ulong)start + (ulong)length > (ulong)Floats)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"floats [{start}, {start + length}) are outside the {Floats} held");
        }
        return new Span<float>(Pointer + start, length);
    }

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    private void Release()
    {
        if (_pointer == null)
        {
            return;
        }
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _file!.Dispose();
        }
        else
        {
            NativeMemory.AlignedFree(_pointer);
            GC.RemoveMemoryPressure(_nativeBytes);
        }
        _pointer = null;
    }
}
