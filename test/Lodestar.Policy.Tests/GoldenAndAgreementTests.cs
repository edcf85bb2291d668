// The golden set generator (deterministic, realistic disagreement) and `agree`'s metrics: it must rank
// the embedded scorer above a deliberately degraded copy of it, and the statistics match known values.
using Lodestar.Data.Schema;
using Lodestar.Policy.Agreement;
using Lodestar.Policy.Golden;
using Lodestar.Policy.Labeling;

namespace Lodestar.Policy.Tests;

public class GoldenAndAgreementTests
{
    private static readonly CompiledPolicy<Member, Job> Policy = PolicyLoader.LoadJobPolicy();

    private static (List<MatchPair> Pairs, List<LabeledPair> Golden) MakeGolden(int seed)
    {
        var (members, jobs) = TestPairs.Create(seed: 11, members: 300, jobs: 120);
        var pairs = TestPairs.Pairs(members, jobs, 900, seed: 12);
        var golden = GoldenSetGenerator.Generate(Policy.Document, pairs.Select(TestTruth.For).ToList(), new GoldenSetConfig { Pairs = 800, Seed = seed });
        return (pairs, golden);
    }

    [Fact]
    public void GoldenSetIsDeterministicAndHasSeveralAnnotatorsOnASubset()
    {
        var (_, first) = MakeGolden(seed: 6);
        var (_, second) = MakeGolden(seed: 6);
        var (_, other) = MakeGolden(seed: 7);
        Assert.Equal(first.Select(LabelFile.ToJson), second.Select(LabelFile.ToJson));
        Assert.NotEqual(first.Select(LabelFile.ToJson), other.Select(LabelFile.ToJson));
        var perPair = first.GroupBy(l => l.Pair).ToList();
        Assert.Equal(800, perPair.Count);
        var multi = perPair.Count(g => g.Count() == 3);
        Assert.InRange(multi, 110, 210);
        Assert.True(first.Select(l => l.Annotator).Distinct().Count() >= 6);
        Assert.Contains(first, l => l.Note is not null);
        // People disagree, but far less than chance.
        var report = AgreementReport.Compare(Policy.Document, first, first.GroupBy(l => l.Pair).Select(g => g.Last()).ToList());
        Assert.NotNull(report.HumanKappa);
        Assert.InRange(report.HumanKappa!.Value, 0.5, 0.97);
    }

    [Fact]
    public void AgreeRanksTheScorerAboveADegradedCopy()
    {
        var (pairs, golden) = MakeGolden(seed: 6);
        var scorer = new PolicyScorerLabeler(Policy);
        var good = pairs.Select(scorer.Label).ToList();
        var random = new Random(3);
        var degraded = good.Select(l => Degrade(l, random)).ToList();
        var goodReport = AgreementReport.Compare(Policy.Document, golden, good);
        var badReport = AgreementReport.Compare(Policy.Document, golden, degraded);
        Assert.Equal(800, goodReport.Pairs);
        Assert.True(goodReport.MeanKappa > badReport.MeanKappa + 0.1, $"kappa {goodReport.MeanKappa} vs {badReport.MeanKappa}");
        Assert.True(goodReport.Spearman > badReport.Spearman, $"spearman {goodReport.Spearman} vs {badReport.Spearman}");
        Assert.True(goodReport.KendallTauB > badReport.KendallTauB);
        Assert.True(goodReport.PairwiseAccuracy > badReport.PairwiseAccuracy);
        Assert.True(goodReport.OverallMae < badReport.OverallMae);
        Assert.All(goodReport.Dimensions.Zip(badReport.Dimensions), d => Assert.True(d.First.Mae < d.Second.Mae, d.First.Dimension));
        Assert.True(goodReport.Spearman > 0.6, $"the scorer should track the truth: spearman {goodReport.Spearman} {string.Join(" ", goodReport.Dimensions)} human {goodReport.HumanKappa}");
        Assert.Equal(10, goodReport.Worst.Count);
        Assert.True(goodReport.Worst[0].LabelOverall - goodReport.Worst[0].GoldenOverall is var gap && Math.Abs(gap) >= Math.Abs(goodReport.Worst[9].LabelOverall - goodReport.Worst[9].GoldenOverall));
    }

    private static LabeledPair Degrade(LabeledPair label, Random random)
    {
        var scores = label.Scores.ToDictionary(s => s.Key, s => random.NextDouble() < 0.5 ? random.Next(0, 5) : s.Value);
        return label with { Scores = scores, Overall = Policy.Overall(Policy.Document.Dimensions.Select(d => (double)scores[d.Id]).ToArray()), Annotator = "degraded" };
    }

    [Fact]
    public void StatisticsMatchHandComputedValues()
    {
        // Perfect agreement and reversed order.
        Assert.Equal(1.0, RankStatistics.QuadraticWeightedKappa([0, 1, 2, 3, 4], [0, 1, 2, 3, 4], 0, 4), 12);
        Assert.Equal(-1.0, RankStatistics.Spearman([1, 2, 3, 4], [4, 3, 2, 1]), 12);
        Assert.Equal(-1.0, RankStatistics.KendallTauB([1, 2, 3, 4], [4, 3, 2, 1]), 12);
        // scipy.stats.kendalltau([1,2,2,3],[1,3,2,2]) = 0.4 (tau-b): C=3, D=1, ties 1 and 1, n0 = 6 -> 2 / sqrt(5*5).
        Assert.Equal(0.4, RankStatistics.KendallTauB([1, 2, 2, 3], [1, 3, 2, 2]), 12);
        // scipy.stats.spearmanr([1,2,2,3],[1,3,2,2]) = 0.5: ranks [1,2.5,2.5,4] and [1,4,2.5,2.5].
        Assert.Equal(0.5, RankStatistics.Spearman([1, 2, 2, 3], [1, 3, 2, 2]), 12);
        // Worked by hand (and in Python with the same formula): O = diag-ish counts, Σ w O = 0.5, Σ w E = 1.375, κ = 1 - 0.5/1.375 = 7/11.
        Assert.Equal(7.0 / 11.0, RankStatistics.QuadraticWeightedKappa([0, 1, 2, 2], [0, 2, 2, 1], 0, 2), 12);
        Assert.Equal(2.5 / 3, RankStatistics.PairwiseAccuracy([1, 2, 3], [1, 3, 3]), 12);
    }
}
