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
                IndexSnapshot.Write(path, Dimension, _ids.AsSpan(0, _rows), _createdAt.AsSpan(0, _rows), _vectors.AsSpan(0, _rows * Dimension));
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
                    _vectors.AsSpan(row * Dimension, Dimension).CopyTo(vectors.AsSpan(kept * Dimension, Dimension));
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

    /// <summary>Opens a snapshot written by <see cref="Save"/>; throws <see cref="InvalidDataException"/> naming the file and the fault.</summary>
    public static FlatIndex Load(string path)
    {
        var (dimension, ids, createdAt, vectors) = IndexSnapshot.Read(path);
        var index = new FlatIndex(dimension, Math.Max(1, ids.Length));
        for (var row = 0; row < ids.Length; row++)
        {
            if (!index._rowOf.TryAdd(ids[row], row))
            {
                throw new InvalidDataException($"{path}: id {ids[row]} is stored twice (rows {index._rowOf[ids[row]]} and {row})");
            }
            var vector = vectors.AsSpan(row * dimension, dimension);
            var squares = Kernels.Reductions.SumOfSquares(vector);
            if (!(Math.Abs(squares - 1f) <= 2 * UnitTolerance))
            {
                throw new InvalidDataException($"{path}: the vector of id {ids[row]} (row {row}) has squared length {squares}, not 1");
            }
        }
        index._vectors = vectors.Length > 0 ? vectors : index._vectors;
        index._ids = ids.Length > 0 ? ids : index._ids;
        index._createdAt = createdAt.Length > 0 ? createdAt : index._createdAt;
        index._live = new bool[Math.Max(1, ids.Length)];
        index._live.AsSpan(0, ids.Length).Fill(true);
        index._codes = new sbyte[(long)Math.Max(1, ids.Length) * dimension];
        index._codeScales = new float[Math.Max(1, ids.Length)];
        index._maxCodeError = index.QuantizeRows(ids.Length);
        index._rows = ids.Length;
        return index;
    }

    /// <summary>The int8 codes of rows 0..count−1, one slice of rows per kernel thread; returns the largest code error.</summary>
    private unsafe float QuantizeRows(int count)
    {
        var chunks = Math.Clamp(count / MinRowsPerChunk, 1, Kernels.KernelThreads.Count);
        var errors = new float[chunks];
        var body = new QuantizeBody(this, count, chunks, errors);
        Kernels.KernelThreads.For(chunks, ref body);
        return errors.Max();
    }

    private readonly struct QuantizeBody(FlatIndex index, int count, int chunks, float[] errors) : Kernels.IParallelBody
    {
        public void Invoke(int chunk)
        {
            var largest = 0f;
            var dimension = index.Dimension;
            for (var row = (int)((long)count * chunk / chunks); row < (int)((long)count * (chunk + 1) / chunks); row++)
            {
                index._codeScales[row] = Quantize(index._vectors.AsSpan(row * dimension, dimension), index._codes.AsSpan(row * dimension, dimension), out var error);
                largest = Math.Max(largest, error);
            }
            errors[chunk] = largest;
        }
    }
}
