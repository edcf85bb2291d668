// Exact top-k for a batch of queries at int8 cost: queries quantized to 7-bit u8 (asymmetric, per query), rows
// scored block by block with the int8 GEMM against their int8 codes, the best k·r rows per query kept by that
// approximate score and rescored in float32, and each query's answer proved exact by the bound of SearchExact;
// the queries whose proof fails are answered by the float32 batch search.
using System.Buffers;
using Lodestar.Kernels;

namespace Lodestar.Index;

public sealed unsafe partial class FlatIndex
{
    /// <summary>
    /// Like <see cref="SearchBatch"/> (the same answers), scanning the int8 codes with the int8 GEMM and proving each
    /// answer from the quantization error bound (see <see cref="SearchExact"/>); unproved queries go to the float32 batch.
    /// </summary>
    public void SearchBatchExact(ReadOnlySpan<float> queries, int k, Span<SearchHit> results, Span<int> counts, SearchFilter? filter = null, int rescore = DefaultRescore)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rescore, 1);
        var queryCount = CheckBatch(queries, k, results, counts);
        if (queryCount == 0)
        {
            return;
        }
        var kept = (int)Math.Min((long)k * rescore, int.MaxValue / 2);
        var floats = ArrayPool<float>.Shared;
        var unitQueries = floats.Rent(queries.Length);
        var codes = ArrayPool<byte>.Shared.Rent(queries.Length);
        var scales = floats.Rent(queryCount);
        var zeros = ArrayPool<byte>.Shared.Rent(queryCount);
        var errors = floats.Rent(queryCount);
        var unproved = ArrayPool<int>.Shared.Rent(queryCount);
        try
        {
            ScaleToUnit(queries, unitQueries);
            Int8Quantize.RowsToU8(queryCount, Dimension, unitQueries, Dimension, codes, Dimension, scales, zeros, reduceRange: true);
            for (var q = 0; q < queryCount; q++)
            {
                errors[q] = QueryCodeError(unitQueries.AsSpan(q * Dimension, Dimension), codes.AsSpan(q * Dimension, Dimension), scales[q], zeros[q]);
            }
            var active = filter is { KeepsAll: false } ? filter : null;
            int unprovedCount;
            _lock.EnterReadLock();
            try
            {
                unprovedCount = SearchBatchInt8Locked(unitQueries, codes, scales, zeros, errors, queryCount, k, kept, results, counts, active, unproved);
                if (unprovedCount > 0)
                {
                    // The float32 batch answers the queries the int8 scan could not prove, together.
                    var again = floats.Rent(unprovedCount * Dimension);
                    var hits = ArrayPool<SearchHit>.Shared.Rent(unprovedCount * k);
                    var found = ArrayPool<int>.Shared.Rent(unprovedCount);
                    try
                    {
                        for (var i = 0; i < unprovedCount; i++)
                        {
                            unitQueries.AsSpan(unproved[i] * Dimension, Dimension).CopyTo(again.AsSpan(i * Dimension, Dimension));
                        }
                        SearchBatchLocked(again, unprovedCount, k, hits, found, active);
                        for (var i = 0; i < unprovedCount; i++)
                        {
                            var q = unproved[i];
                            hits.AsSpan(i * k, found[i]).CopyTo(results.Slice(q * k, k));
                            counts[q] = found[i];
                        }
                    }
                    finally
                    {
                        floats.Return(again);
                        ArrayPool<SearchHit>.Shared.Return(hits);
                        ArrayPool<int>.Shared.Return(found);
                    }
                }
            }
            finally
            {
                _lock.ExitReadLock();
            }
            Interlocked.Add(ref _certifiedSearches, queryCount - unprovedCount);
            Interlocked.Add(ref _fallbackSearches, unprovedCount);
        }
        finally
        {
            floats.Return(unitQueries);
            ArrayPool<byte>.Shared.Return(codes);
            floats.Return(scales);
            ArrayPool<byte>.Shared.Return(zeros);
            floats.Return(errors);
            ArrayPool<int>.Shared.Return(unproved);
        }
    }

    /// <summary>‖q − scale·(codes − zero)‖ of a query's u8 codes, rounded up.</summary>
    private static float QueryCodeError(ReadOnlySpan<float> query, ReadOnlySpan<byte> codes, float scale, byte zero)
    {
        double squares = 0;
        for (var d = 0; d < query.Length; d++)
        {
            var residual = query[d] - ((double)scale * (codes[d] - zero));
            squares += residual * residual;
        }
        return MathF.BitIncrement((float)Math.Sqrt(squares));
    }

    /// <summary>
    /// The int8 pass: per chunk of rows (one per kernel thread) block GEMMs into approximate scores and k·r-heaps of
    /// rows per query; then per query the heaps merged, the candidates rescored in float32 into results, and the proof
    /// checked. Returns how many queries are unproved, their indices in <paramref name="unproved"/>.
    /// </summary>
    private int SearchBatchInt8Locked(float[] unitQueries, byte[] codes, float[] scales, byte[] zeros, float[] errors, int queryCount, int k, int kept,
        Span<SearchHit> results, Span<int> counts, SearchFilter? filter, int[] unproved)
    {
        var rows = _rows;
        var chunks = Math.Clamp(rows / BatchBlockRows, 1, KernelThreads.Count);
        var floats = ArrayPool<float>.Shared;
        var blockScores = floats.Rent(chunks * queryCount * BatchBlockRows);
        var heapScores = floats.Rent(chunks * queryCount * kept);
        var heapRows = ArrayPool<long>.Shared.Rent(chunks * queryCount * kept);
        var heapCounts = ArrayPool<int>.Shared.Rent(chunks * queryCount);
        var finalScores = floats.Rent(k);
        var finalIds = ArrayPool<long>.Shared.Rent(k);
        var unprovedCount = 0;
        try
        {
            var vectors = _vectors.Pointer;
            fixed (sbyte* rowCodes = _codes)
            fixed (byte* queryCodes = codes, queryZeros = zeros)
            fixed (float* rowScales = _codeScales, queryScales = scales, scores = blockScores, keptScores = heapScores, exactQueries = unitQueries)
            fixed (long* ids = _ids, created = _createdAt, keptRows = heapRows)
            fixed (bool* live = _live)
            fixed (int* keptCounts = heapCounts)
            {
                var body = new BatchBody<Int8Scorer>(new Int8Scorer(rowCodes, rowScales, queryCodes, queryScales, queryZeros, queryCount, Dimension),
                    ids, created, live, rows, chunks, queryCount, filter, kept, useRows: true, scores, keptScores, keptRows, keptCounts);
                KernelThreads.For(chunks, ref body);
                for (var q = 0; q < queryCount; q++)
                {
                    var merged = MergeChunkHeaps(keptScores, keptRows, keptCounts, chunks, queryCount, q, kept);
                    var answer = results.Slice(q * k, k);
                    var found = Rescore(keptRows + (long)q * kept, merged.Count, exactQueries + (long)q * Dimension, vectors, ids, finalScores.AsSpan(0, k), finalIds.AsSpan(0, k), answer);
                    counts[q] = found;
                    var bound = _maxCodeError + (errors[q] * (1 + _maxCodeError)) + CertificateSlack;
                    if (!(merged.Count < kept || (found == k && merged.Threshold + bound < answer[k - 1].Score)))
                    {
                        unproved[unprovedCount++] = q;
                    }
                }
            }
        }
        finally
        {
            floats.Return(blockScores);
            floats.Return(heapScores);
            ArrayPool<long>.Shared.Return(heapRows);
            ArrayPool<int>.Shared.Return(heapCounts);
            floats.Return(finalScores);
            ArrayPool<long>.Shared.Return(finalIds);
        }
        return unprovedCount;
    }

    /// <summary>scores (Q, blockRows) = s_q·(codes_q − z_q) · (s_x·codes_x)ᵀ by the int8 GEMM: exact integer sums, scaled once.</summary>
    private readonly struct Int8Scorer(sbyte* rowCodes, float* rowScales, byte* queryCodes, float* queryScales, byte* queryZeros, int queryCount, int dimension)
        : IBlockScorer
    {
        public void Score(int start, int blockRows, float* scores) =>
            Int8Gemm.Multiply(queryCount, blockRows, dimension,
                new ReadOnlySpan<byte>(queryCodes, queryCount * dimension), dimension,
                new ReadOnlySpan<float>(queryScales, queryCount), new ReadOnlySpan<byte>(queryZeros, queryCount),
                new ReadOnlySpan<sbyte>(rowCodes + (long)start * dimension, blockRows * dimension), dimension,
                new ReadOnlySpan<float>(rowScales + start, blockRows), new Span<float>(scores, queryCount * blockRows), blockRows);
    }
}
