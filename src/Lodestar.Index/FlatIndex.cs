// An exact inner-product index over L2-normalised float32 embeddings (cosine similarity), the retrieval index
// of the feed: every search scores every live item, so recall is 1 by construction. One query is a SIMD scan
// split over the kernel threads; a batch of queries is blocked as a GEMM (queries × a block of items) followed
// by a top-k pass per query. Upserts and deletes take a write lock, searches a read lock, so a reader never
// sees a torn vector or half of a batch.
using System.Buffers;
using Lodestar.Kernels;

namespace Lodestar.Index;

public sealed unsafe partial class FlatIndex : IDisposable
{
    /// <summary>Rows per GEMM block of a batch search: a block of scores stays in L2 for up to 64 queries.</summary>
    internal const int BatchBlockRows = 1024;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<long, int> _rowOf = [];
    private VectorRows _vectors; // (rows, D), each row unit length; a view of the snapshot file after Load
    private long[] _ids;        // (rows)
    private long[] _createdAt;  // (rows)
    private bool[] _live;       // (rows): false for a deleted row awaiting compaction
    private sbyte[] _codes;     // (rows, D): each row's int8 codes, vector ≈ _codeScales[row]·codes (SearchInt8)
    private float[] _codeScales; // (rows)
    private float _maxCodeError; // the largest ‖v − scale·codes‖ of any row stored: bounds every int8 score's error (SearchExact)
    private int _rows;

    public FlatIndex(int dimension, int initialCapacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(initialCapacity, 1);
        Dimension = dimension;
        _vectors = VectorRows.Allocate((long)initialCapacity * dimension);
        _ids = new long[initialCapacity];
        _createdAt = new long[initialCapacity];
        _live = new bool[initialCapacity];
        _codes = new sbyte[(long)initialCapacity * dimension];
        _codeScales = new float[initialCapacity];
    }

    /// <summary>Length of every vector (D).</summary>
    public int Dimension { get; }

    /// <summary>Items that searches can return.</summary>
    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _rowOf.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>True while the rows are still the copy-on-write view of the snapshot they were loaded from.</summary>
    internal bool IsMapped => _vectors.IsMapped;

    /// <summary>
    /// Bytes the index holds: its rows' float32 vectors, int8 codes and scales, ids, creation times and live flags at
    /// their allocated capacity, and the id table (about 28 bytes an entry: the entry and its bucket).
    /// </summary>
    public long MemoryBytes
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return (_vectors.Floats * sizeof(float)) + _codes.LongLength + (_codeScales.LongLength * sizeof(float)) + (_ids.LongLength * sizeof(long))
                    + (_createdAt.LongLength * sizeof(long)) + _live.LongLength + (_rowOf.Count * 28L);
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Rows held, deleted ones awaiting compaction included.</summary>
    public int Rows => Volatile.Read(ref _rows);

    /// <summary>Inserts or replaces one item; the vector is stored scaled to unit length.</summary>
    public void Upsert(long id, ReadOnlySpan<float> vector, long createdAt = 0)
    {
        if (vector.Length != Dimension)
        {
            throw new ArgumentException($"upsert of id {id}: the vector has {vector.Length} floats, the index has D = {Dimension}", nameof(vector));
        }
        UpsertBatch([id], vector, [createdAt]);
    }

    /// <summary>
    /// Inserts or replaces items: ids is (N), vectors is (N, D), createdAt is (N). Every vector is checked before
    /// any is applied, and readers see either none of the batch or all of it.
    /// </summary>
    public void UpsertBatch(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors, ReadOnlySpan<long> createdAt)
    {
        CheckBatch(ids, vectors, createdAt);
        var norms = ArrayPool<float>.Shared.Rent(Math.Max(1, ids.Length));
        try
        {
            Norms(ids, vectors, norms);
            Apply(ids, vectors, createdAt, norms);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(norms);
        }
    }

    /// <summary>Throws unless vectors is (N, D) and createdAt is (N) for the N ids.</summary>
    internal void CheckBatch(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors, ReadOnlySpan<long> createdAt)
    {
        if (vectors.Length != (long)ids.Length * Dimension)
        {
            throw new ArgumentException($"upsert: {ids.Length} ids need {(long)ids.Length * Dimension} floats ({Dimension} each), got {vectors.Length}", nameof(vectors));
        }
        if (createdAt.Length != ids.Length)
        {
            throw new ArgumentException($"upsert: {ids.Length} ids need {ids.Length} creation times, got {createdAt.Length}", nameof(createdAt));
        }
    }

    /// <summary>norms[i] = ‖vector i‖, throwing on the first vector that is not finite and non-zero (before anything is applied).</summary>
    internal void Norms(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors, Span<float> norms)
    {
        for (var i = 0; i < ids.Length; i++)
        {
            norms[i] = CheckedNorm(vectors.Slice(i * Dimension, Dimension), $"upsert of id {ids[i]}");
        }
    }

    /// <summary>Applies a checked batch under the write lock: each vector stored scaled by 1/norms[i], with its int8 codes.</summary>
    internal void Apply(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors, ReadOnlySpan<long> createdAt, ReadOnlySpan<float> norms)
    {
        _lock.EnterWriteLock();
        try
        {
            for (var i = 0; i < ids.Length; i++)
            {
                if (!_rowOf.TryGetValue(ids[i], out var row))
                {
                    row = AppendRow(ids[i]);
                }
                var source = vectors.Slice(i * Dimension, Dimension);
                var target = _vectors.Slice((long)row * Dimension, Dimension);
                var scale = 1f / norms[i];
                for (var d = 0; d < Dimension; d++)
                {
                    target[d] = source[d] * scale;
                }
                _codeScales[row] = Quantize(target, _codes.AsSpan(row * Dimension, Dimension), out var error);
                _maxCodeError = Math.Max(_maxCodeError, error);
                _createdAt[row] = createdAt[i];
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Removes an item; false when the id is not held. Its row is reclaimed by <see cref="Compact"/>.</summary>
    public bool Delete(long id)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_rowOf.Remove(id, out var row))
            {
                return false;
            }
            _live[row] = false;
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Drops deleted rows, keeping the order of the live ones.</summary>
    public void Compact()
    {
        _lock.EnterWriteLock();
        try
        {
            var kept = 0;
            for (var row = 0; row < _rows; row++)
            {
                if (!_live[row])
                {
                    continue;
                }
                if (kept != row)
                {
                    _vectors.Slice((long)row * Dimension, Dimension).CopyTo(_vectors.Slice((long)kept * Dimension, Dimension));
                    _codes.AsSpan(row * Dimension, Dimension).CopyTo(_codes.AsSpan(kept * Dimension, Dimension));
                    _codeScales[kept] = _codeScales[row];
                    _ids[kept] = _ids[row];
                    _createdAt[kept] = _createdAt[row];
                    _live[kept] = true;
                    _rowOf[_ids[kept]] = kept;
                }
                kept++;
            }
            _live.AsSpan(kept, _rows - kept).Clear();
            Volatile.Write(ref _rows, kept);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>True when <paramref name="id"/> is held.</summary>
    public bool Contains(long id)
    {
        _lock.EnterReadLock();
        try
        {
            return _rowOf.ContainsKey(id);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Copies the stored (unit-length) vector of <paramref name="id"/>; false when the id is not held.</summary>
    public bool TryGetVector(long id, Span<float> destination)
    {
        if (destination.Length != Dimension)
        {
            throw new ArgumentException($"destination has {destination.Length} floats, the index has D = {Dimension}", nameof(destination));
        }
        _lock.EnterReadLock();
        try
        {
            if (!_rowOf.TryGetValue(id, out var row))
            {
                return false;
            }
            _vectors.Slice((long)row * Dimension, Dimension).CopyTo(destination);
            return true;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private int AppendRow(long id)
    {
        if (_rows == _ids.Length)
        {
            var capacity = _ids.Length * 2;
            _vectors = _vectors.Grow((long)capacity * Dimension, (long)_rows * Dimension);
            Array.Resize(ref _ids, capacity);
            Array.Resize(ref _createdAt, capacity);
            Array.Resize(ref _live, capacity);
            Array.Resize(ref _codes, capacity * Dimension);
            Array.Resize(ref _codeScales, capacity);
        }
        var row = _rows;
        _ids[row] = id;
        _live[row] = true;
        _rowOf[id] = row;
        Volatile.Write(ref _rows, row + 1);
        return row;
    }

    /// <summary>Frees the rows (or unmaps the snapshot they were loaded from); searches after this throw.</summary>
    public void Dispose()
    {
        _lock.EnterWriteLock();
        try
        {
            _vectors.Dispose();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>‖v‖ of a vector that must be finite and non-zero; throws naming <paramref name="what"/> otherwise.</summary>
    internal float CheckedNorm(ReadOnlySpan<float> vector, string what)
    {
        if (vector.Length != Dimension)
        {
            throw new ArgumentException($"{what}: the vector has {vector.Length} floats, the index has D = {Dimension}");
        }
        var squares = Reductions.SumOfSquares(vector);
        if (!float.IsFinite(squares))
        {
            var bad = FirstNonFinite(vector);
            throw new ArgumentException(bad >= 0
                ? $"{what}: element {bad} is {vector[bad]}; vectors must be finite"
                : $"{what}: the squared norm overflows float32");
        }
        if (squares == 0f)
        {
            throw new ArgumentException($"{what}: the vector is zero and has no direction");
        }
        return MathF.Sqrt(squares);
    }

    /// <summary>
    /// Symmetric int8 codes of a unit vector (Int8Quantize.RowsToS8, the weight quantizer of Int8Gemm): scale =
    /// max|v|/127 and codes = round(v/scale) in [−127, 127], so v ≈ scale·codes within scale/2 per element;
    /// <paramref name="error"/> is ‖v − scale·codes‖, rounded up.
    /// </summary>
    internal static float Quantize(ReadOnlySpan<float> vector, Span<sbyte> codes, out float error)
    {
        Span<float> scale = stackalloc float[1];
        Int8Quantize.RowsToS8(1, vector.Length, vector, vector.Length, codes, codes.Length, scale);
        var squares = 0f;
        for (var d = 0; d < vector.Length; d++)
        {
            var residual = vector[d] - (scale[0] * codes[d]);
            squares += residual * residual;
        }
        // A float sum of D squares is within D·2⁻²⁴ of the exact one, relatively; 1e-4 covers D up to ~1,600.
        error = MathF.Sqrt(squares) * (1 + 1e-4f) + 1e-12f;
        return scale[0];
    }

    private static int FirstNonFinite(ReadOnlySpan<float> vector)
    {
        for (var i = 0; i < vector.Length; i++)
        {
            if (!float.IsFinite(vector[i]))
            {
                return i;
            }
        }
        return -1;
    }
}
