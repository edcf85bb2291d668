// SearchExact: the int8 scan answers when its error bound proves the answer exact, float32 otherwise. Either way
// the answer is the float32 scan's, on random data (where the proof holds for nearly every query), under filters,
// on near-duplicate vectors (where it cannot hold and the float32 scan must answer), and after upserts.
using Lodestar.Core;

namespace Lodestar.Index.Tests;

public sealed class ExactInt8SearchTests
{
    private const int Dimension = 64;

    private static FlatIndex Build(float[] vectors, ulong seed)
    {
        var count = vectors.Length / Dimension;
        var ids = Enumerable.Range(0, count).Select(i => 7L * i + 1).ToArray();
        var index = new FlatIndex(Dimension, initialCapacity: 8);
        index.UpsertBatch(ids, vectors, [.. ids.Select(id => id % 40)]);
        return index;
    }

    private static void AssertSameAnswer(FlatIndex index, ReadOnlySpan<float> query, int k, SearchFilter? filter = null, int rescore = FlatIndex.DefaultRescore)
    {
        var exact = new SearchHit[k];
        var viaInt8 = new SearchHit[k];
        var expected = index.Search(query, k, exact, filter);
        Assert.Equal(expected, index.SearchExact(query, k, viaInt8, filter, rescore));
        for (var i = 0; i < expected; i++)
        {
            Assert.Equal(exact[i].Id, viaInt8[i].Id);
            Assert.Equal(exact[i].Score, viaInt8[i].Score, 1e-6f);
        }
    }

    [Fact]
    public void OnRandomDataTheInt8ScanProvesNearlyEveryAnswer()
    {
        var random = new SeededRandom(31);
        var vectors = new float[30_000 * Dimension];
        random.FillNormal(vectors, 1f);
        var index = Build(vectors, 31);
        var queries = new float[50 * Dimension];
        random.FillNormal(queries, 1f);
        var filter = new SearchFilter { MinCreatedAt = 5, ExcludeIds = new HashSet<long> { 1, 8, 15 } };
        for (var q = 0; q < 50; q++)
        {
            AssertSameAnswer(index, queries.AsSpan(q * Dimension, Dimension), 10, q % 5 == 0 ? filter : null);
        }
        var (certified, fellBack) = index.ExactSearchCounts;
        Assert.Equal(50, certified + fellBack);
        Assert.True(certified >= 45, $"{certified} of 50 proved by the int8 scan");
    }

    [Fact]
    public void NearDuplicatesDefeatTheProofAndFloat32Answers()
    {
        // Every vector is one direction plus noise far below the int8 step: their scores differ by less than the bound.
        var random = new SeededRandom(32);
        var direction = new float[Dimension];
        random.FillNormal(direction, 1f);
        var vectors = new float[5_000 * Dimension];
        random.FillNormal(vectors, 1e-4f);
        for (var i = 0; i < vectors.Length; i++)
        {
            vectors[i] += direction[i % Dimension];
        }
        var index = Build(vectors, 32);
        for (var q = 0; q < 5; q++)
        {
            var query = direction.Select(d => d + (float)(random.NextGaussian() * 1e-3)).ToArray();
            AssertSameAnswer(index, query, 10);
        }
        Assert.Equal((0L, 5L), index.ExactSearchCounts);
    }

    [Fact]
    public void SmallIndexesAndUpsertsKeepTheAnswerExact()
    {
        var random = new SeededRandom(33);
        var vectors = new float[300 * Dimension];
        random.FillNormal(vectors, 1f);
        var index = Build(vectors, 33);
        var query = new float[Dimension];
        random.FillNormal(query, 1f);
        // Fewer rows pass than k·r: every row is a candidate, the answer is exact without a bound.
        AssertSameAnswer(index, query, 50);
        // Rows replaced by vectors close to the query must be found at once.
        var replacements = new float[3 * Dimension];
        for (var i = 0; i < replacements.Length; i++)
        {
            replacements[i] = query[i % Dimension] + (float)(random.NextGaussian() * 0.05);
        }
        index.UpsertBatch([8, 15, 22], replacements, [1, 1, 1]);
        var hits = new SearchHit[3];
        index.SearchExact(query, 3, hits);
        Assert.Equal([8L, 15L, 22L], hits.Select(h => h.Id).Order());
        AssertSameAnswer(index, query, 20, rescore: 1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BatchesGiveTheFloat32BatchsAnswers(bool nearDuplicates)
    {
        var random = new SeededRandom(34);
        var vectors = new float[12_000 * Dimension];
        random.FillNormal(vectors, nearDuplicates ? 1e-4f : 1f);
        if (nearDuplicates)
        {
            for (var i = 0; i < vectors.Length; i++)
            {
                vectors[i] += 1f / (1 + (i % Dimension));
            }
        }
        var index = Build(vectors, 34);
        const int queryCount = 37, k = 10;
        var queries = new float[queryCount * Dimension];
        random.FillNormal(queries, 1f);
        var filter = new SearchFilter { MinCreatedAt = 3, ExcludeIds = new HashSet<long> { 1, 8 } };
        foreach (var active in new[] { null, filter })
        {
            var (expected, expectedCounts) = (new SearchHit[queryCount * k], new int[queryCount]);
            var (actual, actualCounts) = (new SearchHit[queryCount * k], new int[queryCount]);
            index.SearchBatch(queries, k, expected, expectedCounts, active);
            index.SearchBatchExact(queries, k, actual, actualCounts, active);
            Assert.Equal(expectedCounts, actualCounts);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i].Id, actual[i].Id);
                Assert.Equal(expected[i].Score, actual[i].Score, 1e-6f);
            }
        }
        var (certified, fellBack) = index.ExactSearchCounts;
        Assert.Equal(2 * queryCount, certified + fellBack);
        Assert.True(nearDuplicates ? fellBack > 0 : certified >= 2 * queryCount - 4, $"{certified} proved, {fellBack} fell back");
    }
}
