// `lodestar bench index`: the exact index on random unit vectors — upsert rate, one query's p50/p99 latency
// against its physical limit (bytes scanned ÷ memory bandwidth measured in the same run), the same for the
// int8 scan with exact rescoring and its recall@k, batch queries per second, managed bytes per warm
// single-query search, and the time to save and load a snapshot. bench/compare/compare-index.sh runs FAISS beside it.
using System.CommandLine;
using System.Diagnostics;
using Lodestar.Core;
using Lodestar.Index;
using Lodestar.Kernels;
using Spectre.Console;

namespace Lodestar.Bench;

public static class IndexBench
{
    /// <summary>The figures of one run; bandwidth and limits in GB/s and ms, latencies in ms.</summary>
    public sealed record IndexBenchResult(string Name, string Data, int Items, int Dimension, int Threads, string Isa, double BuildSeconds, double UpsertsPerSecond,
        double MemoryBandwidthGBs, double SingleQueryLimitMs, double SingleQueryP50Ms, double SingleQueryP99Ms, double P50OverLimit,
        int BatchSize, double BatchQueriesPerSecond, double ExactBatchQueriesPerSecond, double ExactBatchCertifiedFraction, int ExactBatchAnswersDiffering,
        double AllocatedBytesPerSearch, int K,
        double Int8QueryLimitMs, double Int8QueryP50Ms, double Int8QueryP99Ms, double Int8P50OverLimit, int Int8Rescore, double Int8RecallAtK,
        double ExactQueryP50Ms, double ExactQueryP99Ms, double ExactCertifiedFraction, int ExactAnswersDiffering,
        double SnapshotSaveSeconds, double SnapshotLoadSeconds, long SnapshotBytes, double UpsertsPerSecondWhileSearching, double SearchesPerSecondWhileUpserting,
        long IndexBytes);

    /// <summary>The command, named <paramref name="name"/>: "index" under `bench`, "bench" under `index`.</summary>
    public static Command Create(BenchOutput output, string name = "index")
    {
        var items = new Option<int>("--items") { Description = "Vectors in the index.", DefaultValueFactory = _ => 1_000_000 };
        var dimension = new Option<int>("--dim") { Description = "Vector length D.", DefaultValueFactory = _ => 128 };
        var queries = new Option<int>("--queries") { Description = "Single queries timed (p50/p99), and the batch size.", DefaultValueFactory = _ => 200 };
        var k = new Option<int>("--k") { Description = "Results per query.", DefaultValueFactory = _ => 10 };
        var threads = new Option<int>("--threads") { Description = "Kernel threads (0 = all cores).", DefaultValueFactory = _ => 0 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the vectors and queries.", DefaultValueFactory = _ => 1 };
        var rescore = new Option<int>("--rescore") { Description = "int8 search: the factor r of the k·r candidates rescored in float32.", DefaultValueFactory = _ => FlatIndex.DefaultRescore };
        var clustered = new Option<bool>("--clustered") { Description = $"A Gaussian mixture ({ClusterCount:N0} unit centres, noise σ = {ClusterNoise} per dimension before normalising) instead of uniform random directions, for items and queries." };
        var json = output.CreateJsonOption();
        var command = new Command(name, "Exact index speed: upserts/s, one query's latency against the memory-bandwidth limit, batch queries/s.");
        foreach (var option in new Option[] { items, dimension, queries, k, threads, seed, rescore, clustered, json })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var result = Run(parse.GetValue(items), parse.GetValue(dimension), parse.GetValue(queries), parse.GetValue(k),
                BenchTiming.ResolveThreads(parse.GetValue(threads)), parse.GetValue(seed), parse.GetValue(rescore), parse.GetValue(clustered));
            if (parse.GetValue(json))
            {
                output.WriteJson(result);
                return 0;
            }
            var table = new Table().AddColumns("figure", "value");
            table.AddRow("items × D", $"{result.Items:N0} × {result.Dimension} ({result.Data}; {result.Threads} threads, {result.Isa})");
            table.AddRow("upserts/s (batches of 10,000)", $"{result.UpsertsPerSecond:N0}");
            table.AddRow("upserts/s while a thread searches (its searches/s)", $"{result.UpsertsPerSecondWhileSearching:N0} ({result.SearchesPerSecondWhileUpserting:N0})");
            table.AddRow("memory bandwidth (median read pass)", $"{result.MemoryBandwidthGBs:F1} GB/s");
            table.AddRow("one query: limit (a read pass over its bytes, median)", $"{result.SingleQueryLimitMs:F2} ms");
            table.AddRow("one query: p50 / p99", $"{result.SingleQueryP50Ms:F2} / {result.SingleQueryP99Ms:F2} ms ({result.P50OverLimit:F2}× the limit, median over rounds)");
            table.AddRow("int8 + rescoring: limit (a read pass over the int8 bytes, median)", $"{result.Int8QueryLimitMs:F2} ms");
            table.AddRow($"int8 + rescoring (k·{result.Int8Rescore} candidates): p50 / p99", $"{result.Int8QueryP50Ms:F2} / {result.Int8QueryP99Ms:F2} ms ({result.Int8P50OverLimit:F2}× the limit, median over rounds)");
            table.AddRow($"int8 + rescoring: recall@{result.K} against the exact scan", $"{result.Int8RecallAtK:F4}");
            table.AddRow("exact via int8 with its error bound: p50 / p99", $"{result.ExactQueryP50Ms:F2} / {result.ExactQueryP99Ms:F2} ms ({result.SingleQueryP50Ms / result.ExactQueryP50Ms:F2}× faster than the float32 scan)");
            table.AddRow("exact via int8: proved by the int8 scan / answers unlike the float32 scan's", $"{result.ExactCertifiedFraction:P1} / {result.ExactAnswersDiffering}");
            table.AddRow($"batch of {result.BatchSize}", $"{result.BatchQueriesPerSecond:N0} queries/s");
            table.AddRow($"batch of {result.BatchSize}, exact via the int8 GEMM", $"{result.ExactBatchQueriesPerSecond:N0} queries/s ({result.ExactBatchQueriesPerSecond / result.BatchQueriesPerSecond:F2}×; {result.ExactBatchCertifiedFraction:P1} proved, {result.ExactBatchAnswersDiffering} answers unlike the float32 batch's)");
            table.AddRow("snapshot: save / load (checked, int8 codes rebuilt)", $"{result.SnapshotSaveSeconds:F2} / {result.SnapshotLoadSeconds:F2} s ({result.SnapshotBytes / 1e6:N0} MB)");
            table.AddRow("managed bytes per warm search", $"{result.AllocatedBytesPerSearch:N0}");
            table.AddRow("memory held by the index (float32 rows, int8 codes, ids, id table)", $"{result.IndexBytes / 1e6:N0} MB");
            output.ConsoleFor(false).Write(table);
            return 0;
        });
        return command;
    }

    /// <summary>Centres of the clustered data set (FAISS's benchmarks call such data "clustered": where approximate indexes work).</summary>
    public const int ClusterCount = 1000;

    /// <summary>Per-dimension noise around a centre, before each vector is scaled to unit length.</summary>
    public const float ClusterNoise = 0.05f;

    public static IndexBenchResult Run(int items, int dimension, int queryCount, int k, int threads, ulong seed, int rescore = FlatIndex.DefaultRescore,
        bool clustered = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(items, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(queryCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        KernelThreads.Count = threads;
        var random = new SeededRandom(seed);
        var centres = new float[ClusterCount * dimension];
        random.FillNormal(centres, 1f / MathF.Sqrt(dimension));
        void Draw(Span<float> vectors)
        {
            random.FillNormal(vectors, clustered ? ClusterNoise : 1f);
            if (clustered)
            {
                for (var row = 0; row < vectors.Length / dimension; row++)
                {
                    var centre = centres.AsSpan(random.NextInt(ClusterCount) * dimension, dimension);
                    System.Numerics.Tensors.TensorPrimitives.Add(vectors.Slice(row * dimension, dimension), centre, vectors.Slice(row * dimension, dimension));
                }
            }
        }
        using var index = new FlatIndex(dimension, items);
        const int UpsertBatch = 10_000;
        var batch = new float[UpsertBatch * dimension];
        var ids = new long[UpsertBatch];
        var created = new long[UpsertBatch];
        var build = Stopwatch.StartNew();
        for (var first = 0; first < items; first += UpsertBatch)
        {
            var n = Math.Min(UpsertBatch, items - first);
            Draw(batch.AsSpan(0, n * dimension));
            for (var i = 0; i < n; i++)
            {
                ids[i] = first + i;
            }
            index.UpsertBatch(ids.AsSpan(0, n), batch.AsSpan(0, n * dimension), created.AsSpan(0, n));
        }
        var buildSeconds = build.Elapsed.TotalSeconds;
        // Drawing the vectors is part of the build time above; the upsert rate counts the index's own work.
        var upsertSeconds = TimeUpserts(index, dimension, random);

        var queries = new float[queryCount * dimension];
        Draw(queries);
        var hits = new SearchHit[queryCount * k];
        // Each query's scans sit beside read passes over as many bytes as they scan (the float32 rows, the int8 codes).
        var floatBytes = (long)items * dimension * sizeof(float);
        var int8Bytes = (long)items * dimension * sizeof(sbyte);
        var memory = new MemoryBandwidth(floatBytes, threads);

        var int8Hits = new SearchHit[k];
        for (var warm = 0; warm < Math.Min(queryCount, 20); warm++)
        {
            memory.ReadSeconds(floatBytes);
            index.Search(queries.AsSpan(warm * dimension, dimension), k, hits);
            index.SearchInt8(queries.AsSpan(warm * dimension, dimension), k, int8Hits, rescore: rescore);
            index.SearchExact(queries.AsSpan(warm * dimension, dimension), k, int8Hits, rescore: rescore);
        }
        var (certifiedBefore, fellBackBefore) = index.ExactSearchCounts;
        // The float32, int8 and exact-via-int8 searches of each query run back to back, so all see the same machine.
        var latencies = new double[queryCount];
        var int8Latencies = new double[queryCount];
        var reads = new double[queryCount];
        var int8Reads = new double[queryCount];
        var exactLatencies = new double[queryCount];
        var exactHits = new SearchHit[k];
        var differing = 0;
        var allocation = new AllocationTally();
        long recalled = 0, expected = 0;
        for (var q = 0; q < queryCount; q++)
        {
            var query = queries.AsSpan(q * dimension, dimension);
            reads[q] = memory.ReadSeconds(floatBytes) * 1e3;
            int8Reads[q] = memory.ReadSeconds(int8Bytes) * 1e3;
            var reading = AllocationReading.Start();
            var start = Stopwatch.GetTimestamp();
            var found = index.Search(query, k, hits);
            latencies[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            allocation.Add(reading);
            start = Stopwatch.GetTimestamp();
            var int8Found = index.SearchInt8(query, k, int8Hits, rescore: rescore);
            int8Latencies[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            start = Stopwatch.GetTimestamp();
            var exactFound = index.SearchExact(query, k, exactHits, rescore: rescore);
            exactLatencies[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (!exactHits.AsSpan(0, exactFound).ToArray().Select(h => h.Id).SequenceEqual(hits.AsSpan(0, found).ToArray().Select(h => h.Id)))
            {
                differing++;
            }
            var exact = hits.AsSpan(0, found).ToArray().Select(h => h.Id).ToHashSet();
            recalled += int8Hits.AsSpan(0, int8Found).ToArray().Count(h => exact.Contains(h.Id));
            expected += found;
        }
        var (certifiedAfter, fellBackAfter) = index.ExactSearchCounts;
        var certified = (double)(certifiedAfter - certifiedBefore) / Math.Max(1, certifiedAfter - certifiedBefore + fellBackAfter - fellBackBefore);
        var counts = new int[queryCount];
        index.SearchBatch(queries, k, hits, counts);
        var exactBatchHits = new SearchHit[queryCount * k];
        var exactCounts = new int[queryCount];
        (certifiedBefore, fellBackBefore) = index.ExactSearchCounts;
        index.SearchBatchExact(queries, k, exactBatchHits, exactCounts, rescore: rescore);
        (certifiedAfter, fellBackAfter) = index.ExactSearchCounts;
        var batchCertified = (double)(certifiedAfter - certifiedBefore) / Math.Max(1, certifiedAfter - certifiedBefore + fellBackAfter - fellBackBefore);
        var batchDiffering = Enumerable.Range(0, queryCount).Count(q => exactCounts[q] != counts[q]
            || !exactBatchHits.AsSpan(q * k, counts[q]).ToArray().Select(h => h.Id).SequenceEqual(hits.AsSpan(q * k, counts[q]).ToArray().Select(h => h.Id)));
        // The two batch searches alternate, a round of at least a second each, for three rounds; medians of their rates.
        var floatRates = new double[3];
        var exactRates = new double[3];
        for (var round = 0; round < 3; round++)
        {
            floatRates[round] = QueriesPerSecond(() => index.SearchBatch(queries, k, hits, counts), queryCount);
            exactRates[round] = QueriesPerSecond(() => index.SearchBatchExact(queries, k, exactBatchHits, exactCounts, rescore: rescore), queryCount);
        }
        var batchQueriesPerSecond = Statistics.Median(floatRates);
        var exactBatchQueriesPerSecond = Statistics.Median(exactRates);
        var (saveSeconds, loadSeconds, snapshotBytes) = TimeSnapshot(index);
        var (busyUpsertSeconds, searchesPerSecond) = TimeUpsertsWhileSearching(index, dimension, random, queries.AsMemory(0, dimension), k);
        var p50 = Statistics.Median(latencies);
        var int8P50 = Statistics.Median(int8Latencies);
        var limitMs = Statistics.Median(reads);
        var int8LimitMs = Statistics.Median(int8Reads);
        // Each query's time over its own round's read pass, then the median of those ratios.
        var overLimit = Statistics.Median([.. latencies.Select((l, q) => l / reads[q])]);
        var int8OverLimit = Statistics.Median([.. int8Latencies.Select((l, q) => l / int8Reads[q])]);
        return new IndexBenchResult("index_flat_f32", clustered ? "clustered" : "random", items, dimension, threads, PeakBench.Isa, buildSeconds, 10 * UpsertBatch / upsertSeconds,
            floatBytes / (limitMs * 1e6), limitMs, p50, Statistics.Percentile(latencies, 0.99), overLimit,
            queryCount, batchQueriesPerSecond, exactBatchQueriesPerSecond, batchCertified, batchDiffering, allocation.BytesPerCall, k,
            int8LimitMs, int8P50, Statistics.Percentile(int8Latencies, 0.99), int8OverLimit, rescore,
            expected == 0 ? 0 : (double)recalled / expected,
            Statistics.Median(exactLatencies), Statistics.Percentile(exactLatencies, 0.99), certified, differing, saveSeconds, loadSeconds, snapshotBytes,
            10 * UpsertBatch / busyUpsertSeconds, searchesPerSecond, index.MemoryBytes);
    }

    /// <summary>Queries per second of a batch search repeated for at least a second (and twice).</summary>
    private static double QueriesPerSecond(Action batch, int queryCount)
    {
        var clock = Stopwatch.StartNew();
        var batches = 0;
        do
        {
            batch();
            batches++;
        }
        while (clock.Elapsed < TimeSpan.FromSeconds(1) || batches < 2);
        return batches * queryCount / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Seconds for the upserts of <see cref="TimeUpserts"/> while another thread searches without pause (a feed
    /// being served while the nearline stream writes), and the searches per second that thread completed meanwhile.
    /// </summary>
    private static (double UpsertSeconds, double SearchesPerSecond) TimeUpsertsWhileSearching(
        FlatIndex index, int dimension, SeededRandom random, ReadOnlyMemory<float> query, int k)
    {
        var stop = 0;
        var searches = 0L;
        var searcher = new Thread(() =>
        {
            var hits = new SearchHit[k];
            while (Volatile.Read(ref stop) == 0)
            {
                index.Search(query.Span, k, hits);
                searches++;
            }
        });
        searcher.Start();
        var clock = Stopwatch.StartNew();
        var upsertSeconds = TimeUpserts(index, dimension, random);
        Volatile.Write(ref stop, 1);
        searcher.Join();
        return (upsertSeconds, searches / clock.Elapsed.TotalSeconds);
    }

    /// <summary>Seconds to save the index as a snapshot in the temp folder, and the median of three timed loads.</summary>
    private static (double Save, double Load, long Bytes) TimeSnapshot(FlatIndex index)
    {
        var path = Path.Combine(Path.GetTempPath(), $"lodestar-bench-{Guid.NewGuid():N}.lsix");
        try
        {
            var clock = Stopwatch.StartNew();
            index.Save(path);
            var save = clock.Elapsed.TotalSeconds;
            var loads = new double[3];
            for (var i = 0; i < loads.Length; i++)
            {
                clock.Restart();
                var loaded = FlatIndex.Load(path);
                loads[i] = clock.Elapsed.TotalSeconds;
                loaded.Dispose();
            }
            return (save, Statistics.Median(loads), new FileInfo(path).Length);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Seconds to re-upsert 10 batches of 10,000 existing ids with fresh vectors drawn beforehand.</summary>
    private static double TimeUpserts(FlatIndex index, int dimension, SeededRandom random)
    {
        const int Batch = 10_000;
        var vectors = new float[Batch * dimension];
        random.FillNormal(vectors, 1f);
        var ids = new long[Batch];
        var created = new long[Batch];
        var clock = Stopwatch.StartNew();
        for (var round = 0; round < 10; round++)
        {
            for (var i = 0; i < Batch; i++)
            {
                ids[i] = (long)round * Batch + i;
            }
            index.UpsertBatch(ids, vectors, created);
        }
        return clock.Elapsed.TotalSeconds;
    }
}
