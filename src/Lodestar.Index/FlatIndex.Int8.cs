// Search over the int8 codes, then exact rescoring: every live row is scored from its int8 codes (a quarter of
// the bytes of the float32 scan, so a quarter of the memory traffic), the best few candidates per query are kept
// by that approximate score, and only those are rescored with their float32 vectors. The answer is exact
// whenever the true top k are among the candidates; recall@k is measured against the exact scan
// (IndexBench, the tests).
using System.Buffers;
using Lodestar.Kernels;

namespace Lodestar.Index;

public sealed unsafe partial class FlatIndex
{
    /// <summary>The rescoring factor r when the caller does not choose one: k·10 candidates are rescored.</summary>
    public const int DefaultRescore = 10;

    /// <summary>
    /// Like <see cref="Search"/>, but the scan reads the int8 codes: the k·<paramref name="rescore"/> rows with the best
    /// approximate scores are rescored exactly in float32 and the best k of them returned, best first, with their
    /// exact scores. A larger r costs a little more rescoring and raises recall against the float32 scan.
    /// </summary>
    public int SearchInt8(ReadOnlySpan<float> query, int k, Span<SearchHit> results, SearchFilter? filter = null, int rescore = DefaultRescore) =>
        SearchInt8(query, k, results, filter, rescore, out _);

    /// <summary>
    /// The exact top <paramref name="k"/> (the answer of <see cref="Search"/>) at the cost of the int8 scan whenever the
    /// quantization error proves it. With unit q and x, q̂ = s_q·q₈ and x̂ = s_x·x₈: |q·x − q̂·x̂| ≤ ‖x − x̂‖ + ‖q − q̂‖·‖x̂‖
    /// ≤ E + e_q(1 + E) = B, E the largest code error of any row. Every row left out of the k·r candidates has an
    /// approximate score at most the candidates' lowest, t, so a true score at most t + B: when that is below the k-th
    /// exact score of the rescored candidates, no row left out can enter the top k. Otherwise the float32 scan answers.
    /// </summary>
    public int SearchExact(ReadOnlySpan<float> query, int k, Span<SearchHit> results, SearchFilter? filter = null, int rescore = DefaultRescore)
    {
        var found = SearchInt8(query, k, results, filter, rescore, out var certified);
        if (certified)
        {
            Interlocked.Increment(ref _certifiedSearches);
            return found;
        }
        Interlocked.Increment(ref _fallbackSearches);
        return Search(query, k, results, filter);
    }

    /// <summary>How many <see cref="SearchExact"/> calls the int8 scan answered with its proof, and how many fell back to float32.</summary>
    public (long Certified, long FellBack) ExactSearchCounts => (Interlocked.Read(ref _certifiedSearches), Interlocked.Read(ref _fallbackSearches));

    private long _certifiedSearches;
    private long _fallbackSearches;

    // Float rounding of the int8 score (a float product of an exact integer sum) and of the float32 rescoring, with room.
    private const float CertificateSlack = 1e-4f;

    private int SearchInt8(ReadOnlySpan<float> query, int k, Span<SearchHit> results, SearchFilter? filter, int rescore, out bool certified)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rescore, 1);
        if (results.Length < k)
        {
            throw new ArgumentException($"search: results hold {results.Length} hits, k = {k}", nameof(results));
        }
        var kept = (int)Math.Min((long)k * rescore, int.MaxValue / 2);
        var scale = 1f / CheckedNorm(query, "search query");
        var floats = ArrayPool<float>.Shared;
        var unitQuery = floats.Rent(Dimension);
        var queryCodes = ArrayPool<sbyte>.Shared.Rent(Dimension);
        for (var d = 0; d < Dimension; d++)
        {
            unitQuery[d] = query[d] * scale;
        }
        var queryScale = Quantize(unitQuery.AsSpan(0, Dimension), queryCodes.AsSpan(0, Dimension), out var queryError);
        _lock.EnterReadLock();
        try
        {
            var rows = _rows;
            var chunks = Math.Clamp(rows / MinRowsPerChunk, 1, KernelThreads.Count);
            var heapScores = floats.Rent(chunks * kept);
            var heapRows = ArrayPool<long>.Shared.Rent(chunks * kept);
            var heapCounts = ArrayPool<int>.Shared.Rent(chunks);
            var finalScores = floats.Rent(k);
            var finalIds = ArrayPool<long>.Shared.Rent(k);
            try
            {
                var vectors = _vectors.Pointer;
                fixed (sbyte* codes = _codes, q = queryCodes)
                fixed (float* codeScales = _codeScales, exactQuery = unitQuery, scores = heapScores)
                fixed (long* ids = _ids, created = _createdAt, candidateRows = heapRows)
                fixed (bool* live = _live)
                fixed (int* counts = heapCounts)
                {
                    var body = new Int8ScanBody(codes, codeScales, q, ids, created, live, Dimension, rows, chunks,
                        filter is { KeepsAll: false } ? filter : null, kept, scores, candidateRows, counts);
                    KernelThreads.For(chunks, ref body);
                    var merged = MergeChunkHeaps(scores, candidateRows, counts, chunks, 1, 0, kept);
                    var found = Rescore(candidateRows, merged.Count, exactQuery, vectors, ids, finalScores.AsSpan(0, k), finalIds.AsSpan(0, k), results);
                    var bound = _maxCodeError + (queryError * (1 + _maxCodeError)) + CertificateSlack;
                    certified = merged.Count < kept || (found == k && (queryScale * merged.Threshold) + bound < results[k - 1].Score);
                    return found;
                }
            }
            finally
            {
                floats.Return(heapScores);
                ArrayPool<long>.Shared.Return(heapRows);
                ArrayPool<int>.Shared.Return(heapCounts);
                floats.Return(finalScores);
                ArrayPool<long>.Shared.Return(finalIds);
            }
        }
        finally
        {
            _lock.ExitReadLock();
            floats.Return(unitQuery);
            ArrayPool<sbyte>.Shared.Return(queryCodes);
        }
    }

    /// <summary>Scans chunk c of the int8 codes for one query into heap c of (approximate score, row).</summary>
    private readonly struct Int8ScanBody(sbyte* codes, float* codeScales, sbyte* query, long* ids, long* created, bool* live, int dimension,
        int rows, int chunks, SearchFilter? filter, int kept, float* heapScores, long* heapRows, int* heapCounts) : IParallelBody
    {
        public void Invoke(int chunk)
        {
            var first = (int)((long)rows * chunk / chunks);
            var end = (int)((long)rows * (chunk + 1) / chunks);
            var heap = new TopK(new Span<float>(heapScores + (long)chunk * kept, kept), new Span<long>(heapRows + (long)chunk * kept, kept));
            var dots = stackalloc int[ScanBlockRows];
            var scores = stackalloc float[ScanBlockRows];
            for (var start = first; start < end; start += ScanBlockRows)
            {
                var count = Math.Min(ScanBlockRows, end - start);
                Int8DotScan.Dots(query, codes + (long)start * dimension, count, dimension, dots);
                // The query's own scale is the same for every row, so ranking by row scale × dot is enough.
                for (var j = 0; j < count; j++)
                {
                    scores[j] = codeScales[start + j] * dots[j];
                }
                Offer(ref heap, scores, count, start, ids, created, live, filter, useRows: true);
            }
            heapCounts[chunk] = heap.Count;
        }
    }

    /// <summary>
    /// The candidate rows (their first <paramref name="count"/>) scored exactly against the unit query with their float32
    /// vectors, the best k (the length of the scratch heaps) written to results best first; returns how many.
    /// </summary>
    private int Rescore(long* rows, int count, float* query, float* vectors, long* ids, Span<float> heapScores, Span<long> heapIds, Span<SearchHit> results)
    {
        var best = new TopK(heapScores, heapIds);
        float exact;
        for (var i = 0; i < count; i++)
        {
            var row = rows[i];
            DotScan.Scores(query, vectors + row * Dimension, 1, Dimension, &exact);
            best.Add(exact, ids[row]);
        }
        return best.DrainSorted(results);
    }
}
