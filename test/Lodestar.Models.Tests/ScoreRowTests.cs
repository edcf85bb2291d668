// The two score-row operations against plain references: rank by full sort, top-k by full sort, on
// random rows with ties, exclusions and every length around the SIMD width.
using Lodestar.TestSupport;
using Lodestar.Features.SeqRec;

namespace Lodestar.Models.Tests;

public class ScoreRowTests
{
    [Fact]
    public void PessimisticRankCountsTiesAgainstTheTarget()
    {
        //             pad  1    2    3    4    5
        float[] row = [9f, 0.5f, 0.9f, 0.5f, 0.1f, 0.5f];
        Assert.Equal(3, ScoreRow.PessimisticRank(row, 1)); // item 2 higher, items 3 and 5 tied
        Assert.Equal(0, ScoreRow.PessimisticRank(row, 2));
        Assert.Equal(4, ScoreRow.PessimisticRank(row, 4));
    }

    [Fact]
    public void ExcludedItemsNeverCountAndNaNCountsAgainst()
    {
        float[] row = [0f, 0.2f, ScoreRow.Excluded, float.NaN, 0.1f];
        Assert.Equal(1, ScoreRow.PessimisticRank(row, 1)); // NaN item 3 is counted above, excluded item 2 is not
        row[1] = float.NaN;
        Assert.Equal(3, ScoreRow.PessimisticRank(row, 1)); // a NaN target gets the worst rank
    }

    [Fact]
    public void PaddingColumnIsNeverRanked()
    {
        float[] row = [100f, 0.3f, 0.2f];
        Assert.Equal(0, ScoreRow.PessimisticRank(row, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScoreRow.PessimisticRank(row, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScoreRow.PessimisticRank(row, 3));
    }

    [Fact]
    public void RankMatchesSortReferenceOnEveryLength()
    {
        var random = new Random(11);
        for (var n = 1; n <= 70; n++)
        {
            var row = RandomRow(random, n);
            for (var target = 1; target <= n; target++)
            {
                if (row[target] == ScoreRow.Excluded)
                {
                    continue;
                }
                var expected = Enumerable.Range(1, n).Count(j => j != target && row[j] != ScoreRow.Excluded && row[j] >= row[target]);
                Assert.Equal(expected, ScoreRow.PessimisticRank(row, target));
            }
        }
    }

    [Fact]
    public void TopKMatchesSortReferenceOnEveryLength()
    {
        var random = new Random(12);
        for (var n = 1; n <= 70; n++)
        {
            var row = RandomRow(random, n);
            foreach (var k in new[] { 1, 3, 10, 80 })
            {
                var expected = Enumerable.Range(1, n)
                    .Where(j => row[j] != ScoreRow.Excluded)
                    .OrderByDescending(j => row[j]).ThenBy(j => j)
                    .Take(k).ToArray();
                var items = new int[k];
                var scores = new float[k];
                var written = ScoreRow.TopK(row, items, scores);
                Assert.Equal(expected, items[..written]);
                Assert.Equal(expected.Select(j => row[j]), scores[..written]);
            }
        }
    }

    [Fact]
    public void CountBelowMatchesScalarOnOddLengthsAndOffsets()
    {
        var random = new Random(13);
        var values = Enumerable.Range(0, 300).Select(_ => (float)random.Next(-5, 5)).ToArray();
        for (var offset = 0; offset < 4; offset++)
        {
            for (var length = 0; length <= 257; length++)
            {
                var span = values.AsSpan(offset, length);
                Assert.Equal(span.ToArray().Count(v => v < 0.5f), ScoreRow.CountBelow(span, 0.5f));
            }
        }
    }

    // Coarse values so ties are common; about one item in six excluded.
    private static float[] RandomRow(Random random, int n)
    {
        var row = new float[n + 1];
        row[0] = 1000f;
        for (var j = 1; j <= n; j++)
        {
            row[j] = random.Next(6) == 0 ? ScoreRow.Excluded : random.Next(8) / 4f;
        }
        return row;
    }
}

public class ScoreRowAllocationTests
{
    [Fact]
    public void RankAndTopKDoNotAllocate()
    {
        var random = new Random(14);
        var row = Enumerable.Range(0, 12102).Select(_ => (float)random.NextDouble()).ToArray();
        var items = new int[10];
        var scores = new float[10];
        var call = 0;
        SteadyStateAllocation.AssertNone(() =>
        {
            ScoreRow.TopK(row, items, scores);
            ScoreRow.PessimisticRank(row, 1 + call++ % 10);
            HistoryBatches.ExcludeHistory(row, items, keep: 0);
        });
    }
}
