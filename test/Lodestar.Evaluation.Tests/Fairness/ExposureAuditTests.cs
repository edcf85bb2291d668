// Exposure metrics against values worked out by hand on a three-item list, and the cases whose answer is known
// without arithmetic: a merit-ordered list is on target for every group, bad input is refused by name.
using Lodestar.Evaluation.Fairness;

namespace Lodestar.Evaluation.Tests.Fairness;

public class ExposureAuditTests
{
    [Fact]
    public void AttentionFallsAsDcgAndAsRankBiasedPrecision()
    {
        Assert.Equal(1.0, PositionAttention.Logarithmic.At(0), 12);
        Assert.Equal(1 / Math.Log2(3), PositionAttention.Logarithmic.At(1), 12);
        Assert.Equal(0.25, new PositionAttention(AttentionModel.Geometric, 0.5).At(2), 12);
        Assert.Throws<ArgumentException>(() => new ExposureAudit(new PositionAttention(AttentionModel.Geometric, 1.0)));
        var topTwo = new PositionAttention(AttentionModel.TopK, Cutoff: 2);
        Assert.Equal([1.0, 1.0, 0.0], [topTwo.At(0), topTwo.At(1), topTwo.At(2)]);
        Assert.Throws<ArgumentException>(() => new ExposureAudit(new PositionAttention(AttentionModel.TopK)));
    }

    [Fact]
    public void AListsExposureTargetAndRatiosMatchTheHandComputedValues()
    {
        // Attention 1, 0.5, 0.25. Shown by score: item 1, item 2, item 0 → exposure (0.25, 1, 0.5).
        // Merit order: items 0 and 2 tie for the first two places and share (1 + 0.5) / 2 = 0.75; item 1 gets 0.25.
        var audit = new ExposureAudit(new PositionAttention(AttentionModel.Geometric, 0.5));
        audit.Add([0.1, 0.9, 0.5], [0.3, 0.1, 0.3], ["a", "b", "a"]);
        var summary = audit.Summary();

        Assert.Equal(1, summary.Lists);
        Assert.Equal(3, summary.Items);
        var a = summary.Groups.Single(g => g.Group == "a");
        var b = summary.Groups.Single(g => g.Group == "b");
        Assert.Equal(0.75, a.Exposure, 12);
        Assert.Equal(1.5, a.TargetExposure, 12);
        Assert.Equal(0.5, a.TargetRatio, 12);
        Assert.Equal(4.0, b.TargetRatio, 12);
        Assert.Equal(1 / 1.75, b.ExposureShare, 12);
        // Exposure per merit over all items: 1.75 / 0.7 = 2.5; group a 0.75 / 0.6 = 1.25, group b 1 / 0.1 = 10.
        Assert.Equal(0.5, a.MeritRatio, 12);
        Assert.Equal(4.0, b.MeritRatio, 12);
        // ‖ε − ε*‖² = 0.25 + 0.5625 + 0.0625; ‖ε*‖² = 0.5625 + 0.0625 + 0.5625.
        Assert.Equal(0.875 / 1.1875, summary.ExpectedExposureLoss, 12);
    }

    [Fact]
    public void ListsAddUpPerGroup()
    {
        var audit = new ExposureAudit(new PositionAttention(AttentionModel.Geometric, 0.5));
        audit.Add([2, 1], [0.2, 0.4], ["a", "b"]);
        audit.Add([1, 2], [0.2, 0.4], ["a", "b"]);
        var a = audit.Summary().Groups.Single(g => g.Group == "a");
        // First list: a shown first (1), though b has the higher merit (target 0.5); second list: a second (0.5, target 0.5).
        Assert.Equal(2, a.Items);
        Assert.Equal(1.5, a.Exposure, 12);
        Assert.Equal(1.0, a.TargetExposure, 12);
        Assert.Equal(0.4, a.Merit, 12);
    }

    [Fact]
    public void ResampledIntervalsHoldThePointAndCollapseWhenEveryListIsTheSame()
    {
        var same = new ExposureAudit(new PositionAttention(AttentionModel.Geometric, 0.5));
        for (var list = 0; list < 10; list++)
        {
            same.Add([0.1, 0.9, 0.5], [0.3, 0.1, 0.3], ["a", "b", "a"]);
        }
        var a = same.Summary(resamples: 50, seed: 3).Groups.Single(g => g.Group == "a");
        Assert.Equal(0.5, a.TargetRatioLow, 12);
        Assert.Equal(0.5, a.TargetRatioHigh, 12);

        var varied = new ExposureAudit(PositionAttention.Logarithmic);
        var random = new Random(4);
        for (var list = 0; list < 100; list++)
        {
            var merits = Enumerable.Range(0, 8).Select(_ => random.NextDouble()).ToArray();
            varied.Add([.. merits.Select(_ => random.NextDouble())], merits, [.. Enumerable.Range(0, 8).Select(i => i < 3 ? "x" : "y")]);
        }
        var x = varied.Summary(resamples: 200, seed: 3).Groups.Single(g => g.Group == "x");
        Assert.True(x.TargetRatioLow < x.TargetRatio && x.TargetRatio < x.TargetRatioHigh, $"{x.TargetRatioLow} {x.TargetRatio} {x.TargetRatioHigh}");
        Assert.True(double.IsNaN(varied.Summary().Groups[0].TargetRatioLow), "no resamples, no interval");
    }

    [Fact]
    public void ARankerThatOrdersByMeritIsOnTargetForEveryGroup()
    {
        var audit = new ExposureAudit(PositionAttention.Logarithmic);
        var random = new Random(5);
        for (var list = 0; list < 50; list++)
        {
            var merits = Enumerable.Range(0, 20).Select(_ => random.NextDouble()).ToArray();
            var groups = Enumerable.Range(0, 20).Select(_ => random.Next(3) switch { 0 => "x", 1 => "y", _ => "z" }).ToArray();
            audit.Add(merits, merits, groups);
        }
        var summary = audit.Summary();
        Assert.Equal(0, summary.ExpectedExposureLoss, 12);
        Assert.All(summary.Groups, g => Assert.Equal(1.0, g.TargetRatio, 12));
    }

    [Fact]
    public void ABoostForOneGroupShowsAsExposureAboveTarget()
    {
        var audit = new ExposureAudit(PositionAttention.Logarithmic);
        var random = new Random(9);
        for (var list = 0; list < 200; list++)
        {
            var merits = Enumerable.Range(0, 10).Select(_ => random.NextDouble()).ToArray();
            var groups = Enumerable.Range(0, 10).Select(i => i % 2 == 0 ? "boosted" : "other").ToArray();
            audit.Add([.. merits.Select((m, i) => groups[i] == "boosted" ? m * 1.5 : m)], merits, groups);
        }
        var groupsOut = audit.Summary().Groups;
        Assert.True(groupsOut.Single(g => g.Group == "boosted").TargetRatio > 1.05);
        Assert.True(groupsOut.Single(g => g.Group == "other").TargetRatio < 0.95);
    }

    [Fact]
    public void BadListsAreRefusedNamingTheItem()
    {
        var audit = new ExposureAudit(PositionAttention.Logarithmic);
        Assert.Contains("merit", Assert.Throws<ArgumentException>(() => audit.Add([1, 2], [0.1, -0.2], ["a", "b"])).Message, StringComparison.Ordinal);
        Assert.Contains("item 0", Assert.Throws<ArgumentException>(() => audit.Add([double.NaN, 2], [0.1, 0.2], ["a", "b"])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => audit.Add([1, 2], [0.1], ["a", "b"]));
        Assert.Equal(0, audit.Summary().Lists);
    }
}

public class ConcentrationTests
{
    [Fact]
    public void GiniIsZeroForEqualSharesAndMatchesTheHandComputation()
    {
        Assert.Equal(0, Concentration.Gini([1, 1, 1, 1]), 12);
        // One of four holds everything: 2·4·1 / (4·1) − 5/4 = 0.75.
        Assert.Equal(0.75, Concentration.Gini([0, 0, 1, 0]), 12);
        // [1, 2, 3]: 2·(1 + 4 + 9) / (3·6) − 4/3 = 28/18 − 24/18 = 2/9.
        Assert.Equal(2.0 / 9, Concentration.Gini([3, 1, 2]), 12);
        Assert.Equal(0, Concentration.Gini([]), 12);
        Assert.Throws<ArgumentException>(() => Concentration.Gini([1, -1]));
    }
}
