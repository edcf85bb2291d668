// The exact index against its double-precision twin (single and batched search, every filter, after upserts,
// deletes and compaction), its one order for ties, bad input, torn-read safety and a warm search's allocation.
using Lodestar.Core;
using Lodestar.TestSupport;

namespace Lodestar.Index.Tests;

public sealed class FlatIndexTests
{
    private static (FlatIndex Index, FlatIndexReference Reference, float[] Vectors) Build(int count, int dimension, ulong seed)
    {
        var random = new SeededRandom(seed);
        var vectors = new float[count * dimension];
        random.FillNormal(vectors, 1f);
        var index = new FlatIndex(dimension, initialCapacity: 16);
        var reference = new FlatIndexReference();
        var ids = Enumerable.Range(0, count).Select(i => 1000L + 7 * i).ToArray();
        var created = ids.Select(id => id % 100).ToArray();
        index.UpsertBatch(ids, vectors, created);
        for (var i = 0; i < count; i++)
        {
            reference.Upsert(ids[i], vectors.AsSpan(i * dimension, dimension), created[i]);
        }
        return (index, reference, vectors);
    }

    private static void AssertSame(List<(long Id, double Score)> expected, ReadOnlySpan<SearchHit> actual)
    {
        Assert.Equal(expected.Select(e => e.Id), actual.ToArray().Select(a => a.Id));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Score, actual[i].Score, tolerance: 1e-5);
        }
    }

    [Theory]
    [InlineData(3_000, 37, 10)]
    [InlineData(40_000, 64, 25)]
    [InlineData(5, 8, 10)]
    public void SingleAndBatchedSearchReturnTheTwinsTopK(int count, int dimension, int k)
    {
        var (index, reference, _) = Build(count, dimension, seed: (ulong)count);
        var queries = new float[6 * dimension];
        new SeededRandom(99).FillNormal(queries, 1f);
        var batch = new SearchHit[6 * k];
        var counts = new int[6];
        index.SearchBatch(queries, k, batch, counts);
        var hits = new SearchHit[k];
        for (var q = 0; q < 6; q++)
        {
            var query = queries.AsSpan(q * dimension, dimension);
            var expected = reference.Search(query, k);
            var found = index.Search(query, k, hits);
            Assert.Equal(Math.Min(k, count), found);
            AssertSame(expected, hits.AsSpan(0, found));
            Assert.Equal(found, counts[q]);
            AssertSame(expected, batch.AsSpan(q * k, counts[q]));
        }
    }

    [Fact]
    public void FiltersExcludeSeenItemsOldItemsAndItemsOffTheAllowList()
    {
        var (index, reference, _) = Build(20_000, 16, seed: 5);
        var query = new float[16];
        new SeededRandom(6).FillNormal(query, 1f);
        var best = reference.Search(query, 50);
        var filters = new[]
        {
            new SearchFilter { ExcludeIds = best.Take(20).Select(h => h.Id).ToHashSet() },
            new SearchFilter { MinCreatedAt = 90 },
            new SearchFilter { AllowIds = best.Skip(10).Where(h => h.Id % 2 == 0).Select(h => h.Id).Append(999_999).ToHashSet() },
            new SearchFilter { MinCreatedAt = 50, ExcludeIds = best.Take(5).Select(h => h.Id).ToHashSet() },
        };
        var hits = new SearchHit[10];
        var batch = new SearchHit[10];
        var counts = new int[1];
        foreach (var filter in filters)
        {
            var expected = reference.Search(query, 10, filter);
            var found = index.Search(query, 10, hits, filter);
            AssertSame(expected, hits.AsSpan(0, found));
            index.SearchBatch(query, 10, batch, counts, filter);
            AssertSame(expected, batch.AsSpan(0, counts[0]));
        }
    }

    [Fact]
    public void EqualScoresComeInIdOrderEveryTime()
    {
        var index = new FlatIndex(4);
        float[] same = [1, 2, 3, 4];
        foreach (var id in new long[] { 50, 7, 31, 8 })
        {
            index.Upsert(id, same);
        }
        index.Upsert(1, [4, 3, 2, 1]);
        var hits = new SearchHit[5];
        Assert.Equal(5, index.Search(same, 5, hits));
        Assert.Equal([7L, 8, 31, 50, 1], hits.Select(h => h.Id));
        Assert.All(hits.Take(4), h => Assert.Equal(1.0, h.Score, tolerance: 1e-6));
    }

    [Fact]
    public void UpsertsDeletesAndCompactionKeepTheIndexEqualToTheTwin()
    {
        var (index, reference, vectors) = Build(12_000, 24, seed: 8);
        var random = new SeededRandom(9);
        var replacement = new float[24];
        for (var i = 0; i < 3_000; i++)
        {
            var id = 1000L + 7 * random.NextInt(12_000);
            if (random.Bernoulli(0.5))
            {
                index.Delete(id);
                reference.Delete(id);
            }
            else
            {
                random.FillNormal(replacement, 1f);
                index.Upsert(id, replacement, createdAt: 77);
                reference.Upsert(id, replacement, 77);
            }
        }
        var hits = new SearchHit[15];
        var query = vectors.AsSpan(0, 24);
        AssertSame(reference.Search(query, 15), hits.AsSpan(0, index.Search(query, 15, hits)));
        var rowsBefore = index.Rows;
        index.Compact();
        Assert.True(index.Rows < rowsBefore);
        Assert.Equal(index.Count, index.Rows);
        AssertSame(reference.Search(query, 15), hits.AsSpan(0, index.Search(query, 15, hits)));
        Assert.False(index.Delete(-1));
    }

    [Fact]
    public void BadVectorsAndArgumentsAreRefusedWithTheReason()
    {
        var index = new FlatIndex(3);
        index.Upsert(1, [1, 0, 0]);
        var hits = new SearchHit[2];
        Assert.Contains("D = 3", Assert.Throws<ArgumentException>(() => index.Upsert(2, [1, 2])).Message, StringComparison.Ordinal);
        Assert.Contains("id 2: element 1 is NaN", Assert.Throws<ArgumentException>(() => index.Upsert(2, [1, float.NaN, 0])).Message, StringComparison.Ordinal);
        Assert.Contains("zero", Assert.Throws<ArgumentException>(() => index.Search([0, 0, 0], 1, hits)).Message, StringComparison.Ordinal);
        Assert.Contains("D = 3", Assert.Throws<ArgumentException>(() => index.Search([1, 0, 0, 0], 1, hits)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search([1, 0, 0], 0, hits));
        Assert.Contains("k = 3", Assert.Throws<ArgumentException>(() => index.Search([1, 0, 0], 3, hits)).Message, StringComparison.Ordinal);
        Assert.Contains("batch search query 1", Assert.Throws<ArgumentException>(() => index.SearchBatch([1, 0, 0, 0, 0, 0], 1, hits, new int[2])).Message, StringComparison.Ordinal);
        // A refused batch changes nothing, even its valid items.
        Assert.Throws<ArgumentException>(() => index.UpsertBatch([5, 6], [1, 1, 1, 0, float.PositiveInfinity, 0], [0, 0]));
        Assert.Equal(1, index.Count);
        Assert.False(index.TryGetVector(5, new float[3]));
    }

    [Fact]
    public async Task AReaderNeverSeesATornVector()
    {
        const int Dimension = 256;
        var index = new FlatIndex(Dimension);
        var a = Enumerable.Repeat(1f, Dimension).ToArray();
        var b = Enumerable.Range(0, Dimension).Select(i => i % 2 == 0 ? 1f : -1f).ToArray();
        index.Upsert(1, a);
        var unitA = a.Select(v => v / 16f).ToArray();
        var unitB = b.Select(v => v / 16f).ToArray();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < 20_000 && !stop.IsCancellationRequested; i++)
            {
                index.Upsert(1, i % 2 == 0 ? b : a);
            }
        });
        var read = new float[Dimension];
        var reads = 0;
        while (!writer.IsCompleted && reads < 200_000)
        {
            Assert.True(index.TryGetVector(1, read));
            Assert.True(read.SequenceEqual(unitA) || read.SequenceEqual(unitB), $"read {reads} mixes the two vectors");
            reads++;
        }
        await stop.CancelAsync();
        await writer;
        Assert.True(reads > 0);
    }

    [Fact]
    public void AWarmSearchAllocatesNothing()
    {
        var (index, _, vectors) = Build(4_000, 32, seed: 12);
        var hits = new SearchHit[10];
        var query = vectors.AsMemory(0, 32);
        SteadyStateAllocation.AssertNone(() => index.Search(query.Span, 10, hits));
    }
}
