// Reads a 2-D float32 matrix from a NumPy .npy file (format versions 1–3: magic, version, header length, a
// Python dict literal with descr '<f4', fortran_order False and shape (N, D), then the data), the way
// embeddings computed elsewhere arrive. Anything else is refused with what the file holds instead.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Lodestar.Index;

public static partial class NpyMatrix
{
    /// <summary>Rows × columns and the values, row-major.</summary>
    public static (int Rows, int Columns, float[] Values) Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no .npy file", path);
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> start = stackalloc byte[12];
        if (stream.Length < 10)
        {
            throw Bad(path, $"{stream.Length} bytes is too short for a .npy header");
        }
        stream.ReadExactly(start[..8]);
        // The magic's first byte is 0x93, which "\u0093"u8 encodes as two UTF-8 bytes; compare byte by byte.
        if (start[0] != 0x93 || !start[1..6].SequenceEqual("NUMPY"u8))
        {
            throw Bad(path, "not a .npy file (no \\x93NUMPY magic)");
        }
        var major = start[6];
        int headerLength;
        if (major == 1)
        {
            stream.ReadExactly(start[8..10]);
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(start[8..]);
        }
        else if (major is 2 or 3)
        {
            if (stream.Length < 12)
            {
                throw Bad(path, $"{stream.Length} bytes is too short for a version-{major} .npy header");
            }
            stream.ReadExactly(start[8..12]);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(start[8..]);
            headerLength = length > 1 << 20 ? throw Bad(path, $"header of {length} bytes") : (int)length;
        }
        else
        {
            throw Bad(path, $".npy format version {major} is not 1, 2 or 3");
        }
        if (stream.Length - stream.Position < headerLength)
        {
            throw Bad(path, $"the header needs {headerLength} bytes, the file ends first");
        }
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var header = Encoding.Latin1.GetString(headerBytes);
        var descr = Descr().Match(header);
        if (!descr.Success || descr.Groups[1].Value != "<f4")
        {
            throw Bad(path, $"dtype {(descr.Success ? descr.Groups[1].Value : "missing")}; only little-endian float32 ('<f4') is read");
        }
        if (!FortranFalse().IsMatch(header))
        {
            throw Bad(path, "Fortran (column-major) order; save with np.ascontiguousarray first");
        }
        var shape = Shape().Match(header);
        if (!shape.Success)
        {
            throw Bad(path, $"shape is not a 2-D (rows, columns) tuple in header {header.Trim()}");
        }
        // Int128: a shape of two large longs must be refused, not wrapped into a small product.
        if (!Int128.TryParse(shape.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture, out var rows)
            || !Int128.TryParse(shape.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture, out var columns)
            || rows > Array.MaxLength || columns > Array.MaxLength)
        {
            throw Bad(path, $"shape ({shape.Groups[1].Value}, {shape.Groups[2].Value}) is larger than a matrix in memory can be");
        }
        var dataBytes = stream.Length - stream.Position;
        if (columns < 1 || rows < 0 || rows * columns > Array.MaxLength || rows * columns * 4 != dataBytes)
        {
            throw Bad(path, $"shape ({rows}, {columns}) needs {rows * columns * 4} bytes of data, the file has {dataBytes}");
        }
        var values = new float[(int)(rows * columns)];
        stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return ((int)rows, (int)columns, values);
    }

    private static InvalidDataException Bad(string path, string problem) => new($"{path}: {problem}");

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex Descr();

    [GeneratedRegex(@"'fortran_order'\s*:\s*False")]
    private static partial Regex FortranFalse();

    [GeneratedRegex(@"'shape'\s*:\s*\(\s*(\d+)\s*,\s*(\d+)\s*,?\s*\)")]
    private static partial Regex Shape();
}
