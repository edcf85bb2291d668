// Baselines on tiny synthetic data with answers worked out by hand, scored through the same
// full-ranking evaluator as every model.
using Lodestar.Core;
using Lodestar.Evaluation;
using Lodestar.Models.Baselines;

namespace Lodestar.Models.Tests;

public class BaselineTests
{
    private static ReadOnlyMemory<int>[] Sequences(params int[][] sequences) => [.. sequences.Select(s => (ReadOnlyMemory<int>)s)];

    private static float[] Score(ISequenceRecommender model, params int[] history)
    {
        var row = new float[model.ItemCount + 1];
        model.ScoreBatch([history], row);
        return row;
    }

    [Fact]
    public void MostPopularScoresAreInteractionCounts()
    {
        var model = MostPopularRecommender.Fit(Sequences([1, 2, 2], [2, 3], [3, 2]), 4);
        Assert.Equal([4f, 2f, 0f], Score(model, 1)[2..]);
        Assert.Equal(1f, model.Counts[1]);
    }

    [Fact]
    public void MostPopularRejectsIdsOutsideTheVocabulary()
    {
        var error = Assert.Throws<ArgumentException>(() => MostPopularRecommender.Fit(Sequences([1, 2], [1, 9]), 4));
        Assert.Contains("training sequence 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LastItemTransitionsFollowTheChain()
    {
        // Every training user walks 1 -> 2 -> 3 -> 4; item 4 is also the most popular overall.
        var train = Sequences([1, 2, 3, 4], [2, 3, 4], [3, 4], [4, 4, 4]);
        var lastItem = new CooccurrenceConfig { Window = 1, RecentItems = 1, BackwardWeight = 0 };
        var model = CooccurrenceRecommender.Fit(train, 4, lastItem);
        // 2 was followed by 3 twice and nothing else: P(3 | 2) = 1. Counts are 1, 2, 3, 6, so the prior adds
        // 1e-3 * count / 6: popularity only breaks the ties among items 2 never led to.
        var row = Score(model, 1, 2);
        Assert.Equal(3, Enumerable.Range(1, 4).MaxBy(j => row[j]));
        Assert.Equal(1f + (1e-3f * 3 / 6), row[3], 6);
        Assert.Equal(1e-3f, row[4], 6);
    }

    [Fact]
    public void RecentItemsVoteWithDecay()
    {
        // 1 is followed by 5, 2 by 6. With history [1, 2] the last item (2) votes 1, the one before 0.5.
        var train = Sequences([1, 5], [2, 6]);
        var config = new CooccurrenceConfig { Window = 1, RecentItems = 2, RecencyDecay = 0.5, BackwardWeight = 0, PopularityPrior = 0 };
        var row = Score(CooccurrenceRecommender.Fit(train, 6, config), 1, 2);
        Assert.Equal(1f, row[6]);
        Assert.Equal(0.5f, row[5]);
        Assert.Equal(0f, row[3]);
    }

    [Fact]
    public void WindowWeightsDecayWithDistanceAndRowsNormalise()
    {
        // Pairs from [1, 2, 3]: (1,2) w 1, (1,3) w 0.5, (2,3) w 1. Row 1 sums to 1.5 -> P = 2/3, 1/3.
        var config = new CooccurrenceConfig { Window = 2, DistanceDecay = 0.5, BackwardWeight = 0, RecentItems = 1, PopularityPrior = 0 };
        var model = CooccurrenceRecommender.Fit(Sequences([1, 2, 3]), 3, config);
        var row = Score(model, 1);
        Assert.Equal(2f / 3, row[2], 6);
        Assert.Equal(1f / 3, row[3], 6);
        Assert.Equal(3, model.PairCount);
    }

    [Fact]
    public void BadConfigNamesTheField()
    {
        var error = Assert.Throws<InvalidConfigException>(() => new CooccurrenceConfig { RecencyDecay = 0 }.Validate());
        Assert.Contains("RecencyDecay", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnASequentialPatternCooccurrenceBeatsPopularityInTheEvaluator()
    {
        // 200 users walk a cycle over 50 items from a random start; the next item is fully determined by the last.
        const int items = 50;
        var random = new Random(3);
        var sequences = Enumerable.Range(0, 200).Select(_ =>
        {
            var start = random.Next(items);
            return Enumerable.Range(0, 8).Select(i => 1 + ((start + i) % items)).ToArray();
        }).ToArray();
        var train = sequences.Select(s => (ReadOnlyMemory<int>)s.AsMemory(0, s.Length - 1)).ToArray();
        var cases = sequences.Select((s, u) => new RankingCase(u, s.AsMemory(0, s.Length - 1), s[^1])).ToArray();
        var popular = FullRankingEvaluator.Evaluate(cases, MostPopularRecommender.Fit(train, items));
        var cooc = FullRankingEvaluator.Evaluate(cases, CooccurrenceRecommender.Fit(train, items, new CooccurrenceConfig()));
        // The chain is deterministic, so the transition baseline must place every target first.
        Assert.Equal(1.0, cooc["hr@5"], 12);
        Assert.Equal(1.0, cooc["mrr"], 12);
        Assert.True(popular["ndcg@10"] < 0.5, $"popularity ndcg@10 {popular["ndcg@10"]}");
    }
}
