// Saving and loading an index as a snapshot file (IndexSnapshot): the live items only, written atomically;
// a loaded snapshot is checked item by item (distinct ids, finite unit-length vectors) before it is searched.
namespace Lodestar.Index;

public sealed partial class FlatIndex
{
    /// <summary>How far from 1 a stored vector's length may be before a loaded snapshot is refused.</summary>
    private const float UnitTolerance = 1e-3f;

    /// <summary>Writes the live items to <paramref name="path"/>, replacing any file there atomically.</summary>
    public void Save(string path)
    {
        _lock.EnterReadLock();
        try
        {
            if (_rowOf.Count == _rows)
            {
                IndexSnapshot.Write(path, Dimension, _ids.AsSpan(0, _rows), _createdAt.AsSpan(0, _rows), _vectors.Slice(0, _rows * Dimension));
                return;
            }
            var ids = new long[_rowOf.Count];
            var created = new long[ids.Length];
            var vectors = new float[ids.Length * Dimension];
            var kept = 0;
            for (var row = 0; row < _rows; row++)
            {
                if (_live[row])
                {
                    ids[kept] = _ids[row];
                    created[kept] = _createdAt[row];
                    _vectors.Slice((long)row * Dimension, Dimension).CopyTo(vectors.AsSpan(kept * Dimension, Dimension));
                    kept++;
                }
            }
            IndexSnapshot.Write(path, Dimension, ids, created, vectors);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Opens a snapshot written by <see cref="Save"/>, its vectors memory-mapped (copy-on-write); throws
    /// <see cref="InvalidDataException"/> naming the file and the fault. Dispose the index to unmap the file.
    /// </summary>
    public static FlatIndex Load(string path)
    {
        var (dimension, ids, createdAt, vectors) = IndexSnapshot.Read(path);
        try
        {
            var rows = ids.Length;
            var index = new FlatIndex(dimension, rows > 0 ? ids : new long[1], rows > 0 ? createdAt : new long[1], vectors);
            for (var row = 0; row < rows; row++)
            {
                if (!index._rowOf.TryAdd(ids[row], row))
                {
                    throw new InvalidDataException($"{path}: id {ids[row]} is stored twice (rows {index._rowOf[ids[row]]} and {row})");
                }
            }
            index._live.AsSpan(0, rows).Fill(true);
            var (maxCodeError, badRow, squares) = index.QuantizeRows(rows);
            if (badRow >= 0)
            {
                throw new InvalidDataException($"{path}: the vector of id {ids[badRow]} (row {badRow}) has squared length {squares}, not 1");
            }
            index._maxCodeError = maxCodeError;
            index._rows = rows;
            return index;
        }
        catch
        {
            vectors.Dispose();
            throw;
        }
    }

    /// <summary>An index over loaded rows: ids (capacity), createdAt (capacity), vectors (capacity, D); no row live yet.</summary>
    private FlatIndex(int dimension, long[] ids, long[] createdAt, VectorRows vectors)
    {
        Dimension = dimension;
        _vectors = vectors;
        _ids = ids;
        _createdAt = createdAt;
        _live = new bool[ids.Length];
        _codes = new sbyte[(long)ids.Length * dimension];
        _codeScales = new float[ids.Length];
    }

    /// <summary>
    /// The int8 codes of rows 0..count−1, one slice of rows per kernel thread, checking each row has unit length.
    /// Returns the largest code error, and the first row that is not of unit length (−1 when none) with its squared length.
    /// </summary>
    private unsafe (float MaxCodeError, int BadRow, float Squares) QuantizeRows(int count)
    {
        var chunks = Math.Clamp(count / MinRowsPerChunk, 1, Kernels.KernelThreads.Count);
        var errors = new float[chunks];
        var badRows = new int[chunks];
        var badSquares = new float[chunks];
        var body = new QuantizeBody(this, count, chunks, errors, badRows, badSquares);
        Kernels.KernelThreads.For(chunks, ref body);
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            if (badRows[chunk] >= 0)
            {
                return (float.NaN, badRows[chunk], badSquares[chunk]);
            }
        }
        return (errors.Max(), -1, 0f);
    }

    private readonly struct QuantizeBody(FlatIndex index, int count, int chunks, float[] errors, int[] badRows, float[] badSquares) : Kernels.IParallelBody
    {
        public void Invoke(int chunk)
        {
            var largest = 0f;
            var dimension = index.Dimension;
            badRows[chunk] = -1;
            for (var row = (int)((long)count * chunk / chunks); row < (int)((long)count * (chunk + 1) / chunks); row++)
            {
                var vector = index._vectors.Slice((long)row * dimension, dimension);
                var squares = Kernels.Reductions.SumOfSquares(vector);
                if (!(Math.Abs(squares - 1f) <= 2 * UnitTolerance))
                {
                    badRows[chunk] = row;
                    badSquares[chunk] = squares;
                    return;
                }
                index._codeScales[row] = Quantize(vector, index._codes.AsSpan(row * dimension, dimension), out var error);
                largest = Math.Max(largest, error);
            }
            errors[chunk] = largest;
        }
    }
}
