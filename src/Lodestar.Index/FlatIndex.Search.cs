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
                var vectors = _vectors.Pointer;
                fixed (float* q = unitQuery, scores = heapScores)
                fixed (long* ids = _ids, created = _createdAt, kept = heapIds)
                fixed (bool* live = _live)
                fixed (int* counts = heapCounts)
                {
                    var body = new ScanBody(vectors, q, ids, created, live, Dimension, rows, chunks, filter is { KeepsAll: false } ? filter : null, k, scores, kept, counts);
                    KernelThreads.For(chunks, ref body);
                    return MergeChunkHeaps(scores, kept, counts, chunks, 1, 0, k).DrainSorted(results);
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
        var queryCount = CheckBatch(queries, k, results, counts);
        if (queryCount == 0)
        {
            return;
        }
        var pool = ArrayPool<float>.Shared;
        var unitQueries = pool.Rent(queries.Length);
        try
        {
            ScaleToUnit(queries, unitQueries);
            _lock.EnterReadLock();
            try
            {
                SearchBatchLocked(unitQueries, queryCount, k, results, counts, filter is { KeepsAll: false } ? filter : null);
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
        finally
        {
            pool.Return(unitQueries);
        }
    }

    /// <summary>
    /// The rows are split into one chunk per kernel thread; each thread scores its chunk block by block with a
    /// GEMM of its own (nested in the parallel loop, so it runs on that thread) and keeps Q heaps; the threads'
    /// heaps are merged per query at the end.
    /// </summary>
    private void SearchBatchLocked(float[] unitQueries, int queryCount, int k, Span<SearchHit> results, Span<int> counts, SearchFilter? filter)
    {
        var rows = _rows;
        var chunks = Math.Clamp(rows / BatchBlockRows, 1, KernelThreads.Count);
        var pool = ArrayPool<float>.Shared;
        var blockScores = pool.Rent(chunks * queryCount * BatchBlockRows);
        var heapScores = pool.Rent(chunks * queryCount * k);
        var heapIds = ArrayPool<long>.Shared.Rent(chunks * queryCount * k);
        var heapCounts = ArrayPool<int>.Shared.Rent(chunks * queryCount);
        try
        {
            var vectors = _vectors.Pointer;
            fixed (float* queries = unitQueries, scores = blockScores, kept = heapScores)
            fixed (long* ids = _ids, created = _createdAt, keptIds = heapIds)
            fixed (bool* live = _live)
            fixed (int* keptCounts = heapCounts)
            {
                var body = new BatchBody<Float32Scorer>(new Float32Scorer(vectors, queries, queryCount, Dimension), ids, created, live, rows, chunks, queryCount,
                    filter, k, useRows: false, scores, kept, keptIds, keptCounts);
                KernelThreads.For(chunks, ref body);
                for (var q = 0; q < queryCount; q++)
                {
                    counts[q] = MergeChunkHeaps(kept, keptIds, keptCounts, chunks, queryCount, q, k).DrainSorted(results.Slice(q * k, k));
                }
            }
        }
        finally
        {
            pool.Return(blockScores);
            pool.Return(heapScores);
            ArrayPool<long>.Shared.Return(heapIds);
            ArrayPool<int>.Shared.Return(heapCounts);
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
                Offer(ref heap, scores, count, start, ids, created, live, filter, useRows: false);
            }
            heapCounts[chunk] = heap.Count;
        }
    }

    /// <summary>Scores a block of rows against every query: scores (Q, blockRows) for rows start .. start+blockRows−1.</summary>
    private interface IBlockScorer
    {
        void Score(int start, int blockRows, float* scores);
    }

    /// <summary>scores (Q, blockRows) = queries (Q, D) · vectors[start..start+blockRows] (blockRows, D)ᵀ by the float32 GEMM.</summary>
    private readonly struct Float32Scorer(float* vectors, float* queries, int queryCount, int dimension) : IBlockScorer
    {
        public void Score(int start, int blockRows, float* scores) =>
            Gemm.Multiply(false, true, queryCount, blockRows, dimension, 1f,
                new ReadOnlySpan<float>(queries, queryCount * dimension), dimension,
                new ReadOnlySpan<float>(vectors + (long)start * dimension, blockRows * dimension), dimension,
                0f, new Span<float>(scores, queryCount * blockRows), blockRows);
    }

    /// <summary>
    /// Chunk c of the rows against every query: block by block, scores from the scorer, then each query's heap of
    /// <paramref name="size"/> takes its row of scores (item ids, or rows when <paramref name="useRows"/>).
    /// </summary>
    private readonly struct BatchBody<TScorer>(TScorer scorer, long* ids, long* created, bool* live, int rows, int chunks, int queryCount,
        SearchFilter? filter, int size, bool useRows, float* blockScores, float* heapScores, long* heapIds, int* heapCounts) : IParallelBody
        where TScorer : struct, IBlockScorer
    {
        public void Invoke(int chunk)
        {
            var first = (int)((long)rows * chunk / chunks);
            var end = (int)((long)rows * (chunk + 1) / chunks);
            var scores = blockScores + (long)chunk * queryCount * BatchBlockRows;
            var heaps = (long)chunk * queryCount;
            for (var q = 0; q < queryCount; q++)
            {
                heapCounts[heaps + q] = 0;
            }
            for (var start = first; start < end; start += BatchBlockRows)
            {
                var blockRows = Math.Min(BatchBlockRows, end - start);
                scorer.Score(start, blockRows, scores);
                for (var q = 0; q < queryCount; q++)
                {
                    var slot = heaps + q;
                    var heap = new TopK(new Span<float>(heapScores + slot * size, size), new Span<long>(heapIds + slot * size, size), heapCounts[slot]);
                    Offer(ref heap, scores + (long)q * blockRows, blockRows, start, ids, created, live, filter, useRows);
                    heapCounts[slot] = heap.Count;
                }
            }
        }
    }

    /// <summary>
    /// Offers rows first .. first+count−1, scored in scores (count), to the heap: the threshold scan skips the scores
    /// below the heap's threshold in bulk, and each score at or above it enters if its row is live and passes the filter.
    /// The heap keeps the item id, or the row itself when <paramref name="useRows"/> (candidates to rescore).
    /// </summary>
    private static void Offer(ref TopK heap, float* scores, int count, int first, long* ids, long* created, bool* live, SearchFilter? filter, bool useRows)
    {
        var threshold = heap.Threshold;
        for (var j = ThresholdScan.NextAtLeast(scores, 0, count, threshold); j < count; j = ThresholdScan.NextAtLeast(scores, j + 1, count, threshold))
        {
            var row = first + j;
            if (!live[row] || (filter is not null && !filter.Passes(ids[row], created[row])))
            {
                continue;
            }
            heap.Add(scores[j], useRows ? row : ids[row]);
            threshold = heap.Threshold;
        }
    }

    /// <summary>Checks a batch's shapes and returns its number of queries Q (queries is (Q, D), results (Q, k), counts (Q)).</summary>
    private int CheckBatch(ReadOnlySpan<float> queries, int k, Span<SearchHit> results, Span<int> counts)
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
        return queryCount;
    }

    /// <summary>Each query of the batch (Q, D) scaled to unit length into unit, throwing on a zero or non-finite one.</summary>
    private void ScaleToUnit(ReadOnlySpan<float> queries, float[] unit)
    {
        for (var q = 0; q < queries.Length / Dimension; q++)
        {
            var query = queries.Slice(q * Dimension, Dimension);
            var scale = 1f / CheckedNorm(query, $"batch search query {q}");
            for (var d = 0; d < Dimension; d++)
            {
                unit[q * Dimension + d] = query[d] * scale;
            }
        }
    }

    /// <summary>
    /// Query q's heap of chunk 0 with the heaps of chunks 1.. merged into it. Heaps of <paramref name="size"/> slots lie at
    /// ((chunk·Q) + q)·size in scores and ids, their fill counts at chunk·Q + q.
    /// </summary>
    private static TopK MergeChunkHeaps(float* scores, long* ids, int* counts, int chunks, int queryCount, int q, int size)
    {
        var merged = new TopK(new Span<float>(scores + (long)q * size, size), new Span<long>(ids + (long)q * size, size), counts[q]);
        for (var c = 1; c < chunks; c++)
        {
            var heap = ((long)c * queryCount + q) * size;
            merged.AddAll(new ReadOnlySpan<float>(scores + heap, counts[c * queryCount + q]), new ReadOnlySpan<long>(ids + heap, counts[c * queryCount + q]));
        }
        return merged;
    }
}
