// .npy files written by NumPy itself (test/golden/index, tools/golden/make_npy_golden.py): float32 C order is
// read exactly; Fortran order, float64, truncation and foreign files are refused with the reason.
using Lodestar.TestSupport;

namespace Lodestar.Index.Tests;

public sealed class NpyMatrixTests
{
    [Fact]
    public void AFloat32MatrixSavedByNumpyReadsExactly()
    {
        var (rows, columns, values) = NpyMatrix.Read(RepoPaths.Golden("index/matrix_3x4_f32.npy"));
        Assert.Equal((3, 4), (rows, columns));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i / 10f), values);
    }

    [Fact]
    public void OtherLayoutsAndDamagedFilesAreRefused()
    {
        Assert.Contains("Fortran", Assert.Throws<InvalidDataException>(() => NpyMatrix.Read(RepoPaths.Golden("index/matrix_3x4_f32_fortran.npy"))).Message, StringComparison.Ordinal);
        Assert.Contains("dtype <f8", Assert.Throws<InvalidDataException>(() => NpyMatrix.Read(RepoPaths.Golden("index/matrix_3x4_f64.npy"))).Message, StringComparison.Ordinal);
        var path = Path.Combine(Path.GetTempPath(), $"lodestar-npy-{Guid.NewGuid():N}.npy");
        try
        {
            var good = File.ReadAllBytes(RepoPaths.Golden("index/matrix_3x4_f32.npy"));
            File.WriteAllBytes(path, good[..^4]);
            Assert.Contains("shape (3, 4) needs 48 bytes of data, the file has 44", Assert.Throws<InvalidDataException>(() => NpyMatrix.Read(path)).Message, StringComparison.Ordinal);
            // A shape past a long, and one whose product wraps to exactly the data size (2^62 + 3 rows of 4: 48 bytes), which
            // 64-bit arithmetic would read as 3 rows.
            foreach (var shape in new[] { "(3, 99999999999999999999)", "(4611686018427387907, 4)" })
            {
                var header = System.Text.Encoding.ASCII.GetString(good).Replace("(3, 4)", shape, StringComparison.Ordinal);
                File.WriteAllBytes(path, [.. good[..8], .. BitConverter.GetBytes((ushort)(header.IndexOf('\n', 10) - 9)), .. System.Text.Encoding.ASCII.GetBytes(header[10..])]);
                Assert.Throws<InvalidDataException>(() => NpyMatrix.Read(path));
            }
            // Version 2 keeps its header length in 4 bytes; a 10-byte file ends inside them.
            File.WriteAllBytes(path, [0x93, .. "NUMPY"u8.ToArray(), 2, 0, 0, 0]);
            Assert.Contains("10 bytes is too short for a version-2 .npy header", Assert.Throws<InvalidDataException>(() => NpyMatrix.Read(path)).Message, StringComparison.Ordinal);
            File.WriteAllBytes(path, "PK\u0003\u0004 not numpy at all"u8.ToArray());
            Assert.Contains("no \\x93NUMPY magic", Assert.Throws<InvalidDataException>(() => NpyMatrix.Read(path)).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
