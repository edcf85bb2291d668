// The full-ranking evaluator: history exclusion on and off changes ranks exactly as worked out by hand,
// the report states the protocol, threads do not change results, and bad ids are named.
using Lodestar.Core;
using Lodestar.Evaluation;
using Lodestar.Models;
using Lodestar.Features.SeqRec;

namespace Lodestar.Evaluation.Tests;

public class FullRankingEvaluatorTests
{
    // Five items; the scorer ignores the history and scores item i as 10 - i, so item 1 is best.
    private static void FixedScores(ReadOnlySpan<ReadOnlyMemory<int>> histories, Span<float> scores)
    {
        for (var b = 0; b < histories.Length; b++)
        {
            for (var item = 1; item <= 5; item++)
            {
                scores[(b * 6) + item] = 10 - item;
            }
        }
    }

    [Fact]
    public void ExcludingHistoryLiftsTheTargetPastSeenItems()
    {
        // Target 4 sits below items 1, 2, 3. Item 1 and 2 are in the history.
        RankingCase[] cases = [new(User: 7, History: new[] { 1, 2 }, Target: 4)];
        var excluded = FullRankingEvaluator.Rank(cases, new ScoringFunction(5, FixedScores), new RankingOptions());
        var kept = FullRankingEvaluator.Rank(cases, new ScoringFunction(5, FixedScores), new RankingOptions { ExcludeHistory = false });
        Assert.Equal([1], excluded);
        Assert.Equal([3], kept);
    }

    [Fact]
    public void ATargetRepeatingAHistoryItemStaysRanked()
    {
        RankingCase[] cases = [new(1, new[] { 1, 3, 2 }, Target: 3)];
        // Items 1 and 2 removed; item 3 competes only with 4 and 5, which score lower.
        Assert.Equal([0], FullRankingEvaluator.Rank(cases, new ScoringFunction(5, FixedScores), new RankingOptions()));
    }

    // Item scores 0.5, -1, 2, -0.5, 1 for items 1..5, whatever the history: negative scores, as logits have.
    private static void SignedScores(ReadOnlySpan<ReadOnlyMemory<int>> histories, Span<float> scores)
    {
        float[] fixedScores = [0.5f, -1f, 2f, -0.5f, 1f];
        for (var b = 0; b < histories.Length; b++)
        {
            fixedScores.CopyTo(scores.Slice((b * 6) + 1, 5));
        }
    }

    [Fact]
    public void ThePublishedRuleScoresSeenItemsAndPaddingZeroWhereKeepTargetDropsThem()
    {
        var model = new ScoringFunction(5, SignedScores);
        var published = new RankingOptions { HistoryMask = HistoryMask.Published };
        // Target 3 repeats history item 3. keep-target: 5 leaves, 3 keeps 2.0 and leads (rank 0). published: 3 and 5 score
        // 0, the padding item 0 too; the target's 0 ties item 5 and the padding (counted above it) and trails item 1 (0.5).
        RankingCase[] repeated = [new(1, new[] { 3, 5 }, Target: 3)];
        Assert.Equal([0], FullRankingEvaluator.Rank(repeated, model, new RankingOptions()));
        Assert.Equal([3], FullRankingEvaluator.Rank(repeated, model, published));
        // Target 4 (-0.5), not seen. keep-target: only item 1 is above it (2 is below, 3 and 5 leave): rank 1. published:
        // items 1 (0.5), 3, 5 and the padding (0) are above it: rank 4.
        RankingCase[] unseen = [new(2, new[] { 3, 5 }, Target: 4)];
        Assert.Equal([1], FullRankingEvaluator.Rank(unseen, model, new RankingOptions()));
        Assert.Equal([4], FullRankingEvaluator.Rank(unseen, model, published));
        // Each report states its rule.
        Assert.StartsWith("keep-target:", FullRankingEvaluator.Evaluate(unseen, model).HistoryRule, StringComparison.Ordinal);
        Assert.StartsWith("published:", FullRankingEvaluator.Evaluate(unseen, model, published).HistoryRule, StringComparison.Ordinal);
        Assert.Equal(HistoryMask.Published, HistoryMasks.Parse("published"));
        Assert.Equal("keep-target", HistoryMasks.Name(HistoryMasks.Parse("keep-target")));
        Assert.Contains("published or keep-target", Assert.Throws<ArgumentException>(() => HistoryMasks.Parse("zero")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReportStatesProtocolAndMeans()
    {
        RankingCase[] cases = [new(1, new[] { 1 }, 2), new(2, new[] { 5 }, 5)];
        var report = FullRankingEvaluator.Evaluate(cases, new ScoringFunction(5, FixedScores));
        Assert.True(report.HistoryExcluded);
        Assert.Equal(FullRankingEvaluator.PessimisticTies, report.TieRule);
        Assert.Equal(2, report.Users);
        Assert.Equal(5, report.ItemCount);
        // User 1: item 1 excluded, target 2 first (rank 0). User 2: target 5 repeats history, rank 4.
        Assert.Equal(1.0, report["hr@5"], 12);
        Assert.Equal(0.5 * (1 + (1 / Math.Log2(6))), report["ndcg@5"], 12);
        Assert.Equal(0.5 * (1 + 0.2), report["mrr"], 12);
        var kept = FullRankingEvaluator.Evaluate(cases, new ScoringFunction(5, FixedScores), new RankingOptions { ExcludeHistory = false });
        Assert.False(kept.HistoryExcluded);
        Assert.Equal(0.5 * (0.5 + 0.2), kept["mrr"], 12);
    }

    [Fact]
    public void ThreadsAndBatchSizesGiveIdenticalResults()
    {
        var random = new Random(5);
        const int items = 300;
        var weights = Enumerable.Range(0, items + 1).Select(_ => (float)random.NextDouble()).ToArray();
        var cases = Enumerable.Range(0, 500).Select(u =>
        {
            var history = Enumerable.Range(0, 1 + random.Next(8)).Select(_ => 1 + random.Next(items)).ToArray();
            return new RankingCase(u, history, 1 + random.Next(items));
        }).ToArray();
        void Scorer(ReadOnlySpan<ReadOnlyMemory<int>> histories, Span<float> scores)
        {
            for (var b = 0; b < histories.Length; b++)
            {
                var last = histories[b].Span[^1];
                for (var j = 1; j <= items; j++)
                {
                    scores[(b * (items + 1)) + j] = weights[j] * weights[(j * last) % (items + 1)];
                }
            }
        }
        var reference = FullRankingEvaluator.Evaluate(cases, new ScoringFunction(items, Scorer), new RankingOptions { BatchSize = 1, Threads = 1 });
        var parallel = FullRankingEvaluator.Evaluate(cases, new ScoringFunction(items, Scorer), new RankingOptions { BatchSize = 37, Threads = 4 });
        Assert.Equal(reference.Metrics, parallel.Metrics);
    }

    [Fact]
    public void OutOfRangeItemsAreNamed()
    {
        RankingCase[] badTarget = [new(42, new[] { 1 }, 6)];
        var error = Assert.Throws<ArgumentException>(() => FullRankingEvaluator.Evaluate(badTarget, new ScoringFunction(5, FixedScores)));
        Assert.Contains("user 42", error.Message, StringComparison.Ordinal);
        RankingCase[] badHistory = [new(43, new[] { 0 }, 1)];
        error = Assert.Throws<ArgumentException>(() => FullRankingEvaluator.Evaluate(badHistory, new ScoringFunction(5, FixedScores)));
        Assert.Contains("history item 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidOptionsNameTheField()
    {
        var error = Assert.Throws<InvalidConfigException>(() => new RankingOptions { BatchSize = 0 }.Validate());
        Assert.Contains("BatchSize", error.Message, StringComparison.Ordinal);
    }
}
