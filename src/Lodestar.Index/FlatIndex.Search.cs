// Exact top-k search. One query: the rows are split into one chunk per kernel thread, each chunk scans its
// rows with a SIMD dot product into its own heap, and the heaps are merged. A batch: for each block of rows,
// scores (Q × rows) = queries (Q × D) · block (rows × D)ᵀ by GEMM, then each query's heap takes its row of
// scores. Scratch comes from the shared array pool, so a warm search allocates nothing.
using System.Buffers;
using Lodestar.Kernels;

namespace Lodestar.Index;

public sealed unsafe partial class FlatIndex
{
    /// <summary>Fewer rows than this per thread are scanned on the calling thread alone.</summary>
    internal const int MinRowsPerChunk = 8192;

    /// <summary>
    /// The <paramref name="k"/> items most similar to <paramref name="query"/> (D; any non-zero length, scaled to
    /// unit length here) that pass <paramref name="filter"/>, best first, written to <paramref name="results"/>
    /// (at least k long). Returns how many were found (fewer than k when fewer items pass).
    /// </summary>
    public int Search(ReadOnlySpan<float> query, int k, Span<SearchHit> results, SearchFilter? filter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (results.Length < k)
        {
            throw new ArgumentException($"search: results hold {results.Length} hits, k = {k}", nameof(results));
        }
        var scale = 1f / CheckedNorm(query, "search query");
        var pool = ArrayPool<float>.Shared;
        var unitQuery = pool.Rent(Dimension);
        for (var d = 0; d < Dimension; d++)
        {
            unitQuery[d] = query[d] * scale;
        }
        _lock.EnterReadLock();
        try
        {
            var rows = _rows;
            var chunks = Math.Clamp(rows / MinRowsPerChunk, 1, KernelThreads.Count);
            var heapScores = pool.Rent(chunks * k);
            var heapIds = ArrayPool<long>.Shared.Rent(chunks * k);
            var heapCounts = ArrayPool<int>.Shared.Rent(chunks);
            try
            {
                fixed (float* vectors = _vectors, q = unitQuery, scores = heapScores)
                fixed (long* ids = _ids, created = _createdAt, kept = heapIds)
                fixed (bool* live = _live)
                fixed (int* counts = heapCounts)
                {
                    var body = new ScanBody(vectors, q, ids, created, live, Dimension, rows, chunks, filter is { KeepsAll: false } ? filter : null, k, scores, kept, counts);
                    KernelThreads.For(chunks, ref body);
                    var merged = new TopK(new Span<float>(scores, k), new Span<long>(kept, k), counts[0]);
                    for (var c = 1; c < chunks; c++)
                    {
                        merged.AddAll(new ReadOnlySpan<float>(scores + c * k, counts[c]), new ReadOnlySpan<long>(kept + c * k, counts[c]));
                    }
                    return merged.DrainSorted(results);
                }
            }
            finally
            {
                pool.Return(heapScores);
                ArrayPool<long>.Shared.Return(heapIds);
                ArrayPool<int>.Shared.Return(heapCounts);
            }
        }
        finally
        {
            _lock.ExitReadLock();
            pool.Return(unitQuery);
        }
    }

    /// <summary>
    /// Top-<paramref name="k"/> for each of Q queries: queries is (Q, D), results is (Q, k) with query q's hits
    /// at [q·k, q·k + counts[q]), best first; counts is (Q).
    /// </summary>
    public void SearchBatch(ReadOnlySpan<float> queries, int k, Span<SearchHit> results, Span<int> counts, SearchFilter? filter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (queries.Length % Dimension != 0)
        {
            throw new ArgumentException($"batch search: {queries.Length} floats is not a whole number of D = {Dimension} queries", nameof(queries));
        }
        var queryCount = queries.Length / Dimension;
        if (results.Length < (long)queryCount * k || counts.Length < queryCount)
        {
            throw new ArgumentException($"batch search: {queryCount} queries need {(long)queryCount * k} result slots and {queryCount} counts, got {results.Length} and {counts.Length}");
        }
        if (queryCount == 0)
        {
            return;
        }
        var pool = ArrayPool<float>.Shared;
        var unitQueries = pool.Rent(queries.Length);
        var blockScores = pool.Rent(queryCount * BatchBlockRows);
        var heapScores = pool.Rent(queryCount * k);
        var heapIds = ArrayPool<long>.Shared.Rent(queryCount * k);
        try
        {
            for (var q = 0; q < queryCount; q++)
            {
                var query = queries.Slice(q * Dimension, Dimension);
                var scale = 1f / CheckedNorm(query, $"batch search query {q}");
                for (var d = 0; d < Dimension; d++)
                {
                    unitQueries[q * Dimension + d] = query[d] * scale;
                }
            }
            counts[..queryCount].Clear();
            _lock.EnterReadLock();
            try
            {
                var rows = _rows;
                fixed (float* vectors = _vectors, scores = blockScores, kept = heapScores)
                fixed (long* ids = _ids, created = _createdAt, keptIds = heapIds)
                fixed (bool* live = _live)
                fixed (int* heapCounts = counts)
                {
                    for (var start = 0; start < rows; start += BatchBlockRows)
                    {
                        var blockRows = Math.Min(BatchBlockRows, rows - start);
                        // scores (Q, blockRows) = unitQueries (Q, D) · vectors[start..start+blockRows] (blockRows, D)ᵀ
                        Gemm.Multiply(false, true, queryCount, blockRows, Dimension, 1f,
                            unitQueries.AsSpan(0, queryCount * Dimension), Dimension,
                            _vectors.AsSpan(start * Dimension, blockRows * Dimension), Dimension,
                            0f, blockScores.AsSpan(0, queryCount * blockRows), blockRows);
                        var body = new BlockBody(scores, blockRows, start, ids, created, live, filter is { KeepsAll: false } ? filter : null, k, kept, keptIds, heapCounts);
                        KernelThreads.For(queryCount, ref body);
                    }
                }
            }
            finally
            {
                _lock.ExitReadLock();
            }
            for (var q = 0; q < queryCount; q++)
            {
                var heap = new TopK(heapScores.AsSpan(q * k, k), heapIds.AsSpan(q * k, k), counts[q]);
                counts[q] = heap.DrainSorted(results.Slice(q * k, k));
            }
        }
        finally
        {
            pool.Return(unitQueries);
            pool.Return(blockScores);
            pool.Return(heapScores);
            ArrayPool<long>.Shared.Return(heapIds);
        }
    }

    /// <summary>Rows scored per step of a scan before their scores go to the heap (a stack buffer).</summary>
    private const int ScanBlockRows = 256;

    /// <summary>Scans chunk c of the rows for one query into heap c.</summary>
    private readonly struct ScanBody(float* vectors, float* query, long* ids, long* created, bool* live, int dimension, int rows, int chunks,
        SearchFilter? filter, int k, float* heapScores, long* heapIds, int* heapCounts) : IParallelBody
    {
        public void Invoke(int chunk)
        {
            var first = (int)((long)rows * chunk / chunks);
            var end = (int)((long)rows * (chunk + 1) / chunks);
            var heap = new TopK(new Span<float>(heapScores + chunk * k, k), new Span<long>(heapIds + chunk * k, k));
            var scores = stackalloc float[ScanBlockRows];
            for (var start = first; start < end; start += ScanBlockRows)
            {
                var count = Math.Min(ScanBlockRows, end - start);
                DotScan.Scores(query, vectors + (long)start * dimension, count, dimension, scores);
                var threshold = heap.Threshold;
                for (var j = 0; j < count; j++)
                {
                    var row = start + j;
                    if (scores[j] < threshold || !live[row] || (filter is not null && !filter.Passes(ids[row], created[row])))
                    {
                        continue;
                    }
                    heap.Add(scores[j], ids[row]);
                    threshold = heap.Threshold;
                }
            }
            heapCounts[chunk] = heap.Count;
        }
    }

    /// <summary>Feeds query q's row of a block of scores into heap q.</summary>
    private readonly struct BlockBody(float* scores, int blockRows, int firstRow, long* ids, long* created, bool* live,
        SearchFilter? filter, int k, float* heapScores, long* heapIds, int* heapCounts) : IParallelBody
    {
        public void Invoke(int q)
        {
            var heap = new TopK(new Span<float>(heapScores + (long)q * k, k), new Span<long>(heapIds + (long)q * k, k), heapCounts[q]);
            var row = scores + (long)q * blockRows;
            for (var j = 0; j < blockRows; j++)
            {
                var r = firstRow + j;
                if (row[j] < heap.Threshold || !live[r] || (filter is not null && !filter.Passes(ids[r], created[r])))
                {
                    continue;
                }
                heap.Add(row[j], ids[r]);
            }
            heapCounts[q] = heap.Count;
        }
    }
}
