// Batch top-k over all items: every user's list equals the one-row reference (exclusion then ScoreRow.TopK),
// whatever the batch size and thread count; history is dropped only when asked; bad ids are named.

using Lodestar.Features.SeqRec;
using Lodestar.Models;
namespace Lodestar.Features.Tests.SeqRec;

public class TopKRecommenderTests
{
    private const int Items = 40;

    // Item i scores sin(7·i + first history item) for the user: different per user, ties impossible.
    private static void HistoryScores(ReadOnlySpan<ReadOnlyMemory<int>> histories, Span<float> scores)
    {
        for (var b = 0; b < histories.Length; b++)
        {
            var shift = histories[b].Span[0];
            for (var item = 1; item <= Items; item++)
            {
                scores[(b * (Items + 1)) + item] = MathF.Sin((7 * item) + shift);
            }
        }
    }

    private static ReadOnlyMemory<int>[] Histories(int users)
    {
        var random = new Random(5);
        return [.. Enumerable.Range(0, users).Select(_ => (ReadOnlyMemory<int>)Enumerable.Range(0, 1 + random.Next(12)).Select(_ => 1 + random.Next(Items)).ToArray())];
    }

    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(7, 2, true)]
    [InlineData(64, 3, false)]
    public void EveryListMatchesTheOneRowReference(int batchSize, int threads, bool excludeHistory)
    {
        var histories = Histories(50);
        var lists = TopKRecommender.Recommend(histories, new ScoringFunction(Items, HistoryScores), k: 10,
            new RankingOptions { BatchSize = batchSize, Threads = threads, ExcludeHistory = excludeHistory });
        Assert.Equal(50, lists.Users);
        for (var u = 0; u < histories.Length; u++)
        {
            var row = new float[Items + 1];
            HistoryScores([histories[u]], row);
            if (excludeHistory)
            {
                HistoryBatches.ExcludeHistory(row, histories[u].Span, keep: 0);
            }
            var items = new int[10];
            var scores = new float[10];
            var written = ScoreRow.TopK(row, items, scores);
            Assert.Equal(items[..written], lists.ItemsOf(u).ToArray());
            Assert.Equal(scores[..written], lists.ScoresOf(u).ToArray());
            var overlap = lists.ItemsOf(u).ToArray().Intersect(histories[u].ToArray()).Any();
            Assert.True(!excludeHistory || !overlap, $"user {u} was recommended an item from the history");
        }
    }

    [Fact]
    public void ListsAreShorterWhenHistoryLeavesFewerItems()
    {
        ReadOnlyMemory<int>[] histories = [Enumerable.Range(1, Items - 3).ToArray()];
        var lists = TopKRecommender.Recommend(histories, new ScoringFunction(Items, HistoryScores), k: 10, new RankingOptions());
        Assert.Equal(3, lists.Counts[0]);
        Assert.Equal([Items - 2, Items - 1, Items], lists.ItemsOf(0).ToArray().Order());
    }

    [Fact]
    public void AnOutOfRangeHistoryItemIsNamed()
    {
        ReadOnlyMemory<int>[] histories = [new[] { 3 }, new[] { 2, Items + 1 }];
        var error = Assert.Throws<ArgumentException>(() => TopKRecommender.Recommend(histories, new ScoringFunction(Items, HistoryScores), 5, new RankingOptions()));
        Assert.Contains("history 1", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => TopKRecommender.Recommend(histories, new ScoringFunction(Items, HistoryScores), 0, new RankingOptions()));
    }
}
