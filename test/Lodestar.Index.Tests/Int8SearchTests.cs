// Search over int8 codes with exact rescoring, against the double-precision twin: recall@10 of at least 0.99
// on random data with the default rescoring factor, exactly the twin's answer when every row is a candidate, exact
// float32 scores on every hit, and codes that follow upserts, deletes, compaction and a snapshot round trip.
using Lodestar.Core;

namespace Lodestar.Index.Tests;

public sealed class Int8SearchTests
{
    private const int Dimension = 64;

    private static (FlatIndex Index, FlatIndexReference Reference) Build(int count, ulong seed)
    {
        var random = new SeededRandom(seed);
        var vectors = new float[count * Dimension];
        random.FillNormal(vectors, 1f);
        var ids = Enumerable.Range(0, count).Select(i => 5L * i + 3).ToArray();
        var created = ids.Select(id => id % 50).ToArray();
        var index = new FlatIndex(Dimension, initialCapacity: 8);
        index.UpsertBatch(ids, vectors, created);
        var reference = new FlatIndexReference();
        for (var i = 0; i < count; i++)
        {
            reference.Upsert(ids[i], vectors.AsSpan(i * Dimension, Dimension), created[i]);
        }
        return (index, reference);
    }

    private static float[] Queries(int count, ulong seed)
    {
        var queries = new float[count * Dimension];
        new SeededRandom(seed).FillNormal(queries, 1f);
        return queries;
    }

    [Fact]
    public void DefaultRescoringRecallsAtLeastNinetyNinePercentWithExactScores()
    {
        var (index, reference) = Build(30_000, seed: 4);
        var queries = Queries(40, seed: 5);
        var hits = new SearchHit[10];
        int found = 0, total = 0;
        for (var q = 0; q < 40; q++)
        {
            var query = queries.AsSpan(q * Dimension, Dimension);
            var expected = reference.Search(query, 10);
            var count = index.SearchInt8(query, 10, hits);
            Assert.Equal(10, count);
            var exact = expected.ToDictionary(e => e.Id, e => e.Score);
            found += hits.Count(h => exact.ContainsKey(h.Id));
            total += 10;
            var all = reference.Search(query, 30_000).ToDictionary(e => e.Id, e => e.Score);
            foreach (var hit in hits)
            {
                Assert.Equal(all[hit.Id], hit.Score, tolerance: 1e-5);
            }
            Assert.True(hits.Zip(hits.Skip(1)).All(p => p.First.Score >= p.Second.Score), "best first");
        }
        Assert.True(found >= 0.99 * total, $"recall@10 {found}/{total}");
    }

    [Fact]
    public void EveryRowACandidateGivesTheTwinsAnswerUnderFilters()
    {
        var (index, reference) = Build(2_000, seed: 6);
        var filter = new SearchFilter { MinCreatedAt = 10, ExcludeIds = new HashSet<long> { 3, 8, 13 } };
        var queries = Queries(5, seed: 7);
        var hits = new SearchHit[20];
        for (var q = 0; q < 5; q++)
        {
            var query = queries.AsSpan(q * Dimension, Dimension);
            var expected = reference.Search(query, 20, filter);
            var count = index.SearchInt8(query, 20, hits, filter, rescore: 100);
            Assert.Equal(expected.Select(e => e.Id), hits.Take(count).Select(h => h.Id));
        }
    }

    [Fact]
    public void CodesFollowUpsertsDeletesCompactionAndSnapshots()
    {
        var (index, reference) = Build(3_000, seed: 8);
        var replacement = Queries(1, seed: 9);
        // Item 8 becomes the query itself; item 13 is deleted. Then rows move in compaction.
        index.Upsert(8, replacement, createdAt: 1);
        reference.Upsert(8, replacement, 1);
        index.Delete(13);
        reference.Delete(13);
        for (var id = 18L; id < 3_000; id += 50)
        {
            index.Delete(id);
            reference.Delete(id);
        }
        index.Compact();
        var hits = new SearchHit[5];
        Assert.Equal(5, index.SearchInt8(replacement, 5, hits));
        Assert.Equal(8, hits[0].Id);
        Assert.Equal(1.0, hits[0].Score, tolerance: 1e-5);
        Assert.Equal(reference.Search(replacement, 5).Select(e => e.Id), hits.Select(h => h.Id));
        Assert.DoesNotContain(hits, h => h.Id == 13);

        var path = Path.Combine(Path.GetTempPath(), $"lodestar-int8-{Guid.NewGuid():N}.lsix");
        try
        {
            index.Save(path);
            var loaded = FlatIndex.Load(path);
            var again = new SearchHit[5];
            loaded.SearchInt8(replacement, 5, again);
            Assert.Equal(hits, again);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        var (index, _) = Build(10, seed: 1);
        var query = Queries(1, seed: 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchInt8(query, 0, new SearchHit[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.SearchInt8(query, 1, new SearchHit[1], rescore: 0));
        Assert.Throws<ArgumentException>(() => index.SearchInt8(query, 3, new SearchHit[2]));
        Assert.Throws<ArgumentException>(() => index.SearchInt8(new float[Dimension], 1, new SearchHit[1]));
    }
}
