// Member outcomes against values worked out by hand: one member's shown and apply rates from a four-item list, and
// the standardised group rates of four members in two quality buckets.
using Lodestar.Evaluation.Fairness;

namespace Lodestar.Evaluation.Tests.Fairness;

public class MemberOutcomesTests
{
    [Fact]
    public void AMembersListGivesTheShareOfReachableWellMatchedItemsShown()
    {
        // Well matched (≥ 0.6): items 0, 1 and 3. The top two by score are items 0 (0.9) and 3 (0.7), both well matched:
        // 2 of min(2, 3) shown; apply is the mean of theirs, (0.2 + 0.4) / 2.
        var outcome = MemberOutcomes.Measure(7, [0.9, 0.1, 0.5, 0.7], [0.7f, 0.8f, 0.1f, 0.65f], [0.2f, 0.9f, 0.5f, 0.4f], [10, 11, 12, 13], wellMatched: 0.6, shown: 2)!;
        Assert.Equal(3, outcome.Available);
        Assert.Equal(1.0, outcome.Shown, 12);
        Assert.Equal(0.3, outcome.Apply, 6);

        // Ranked the other way the top two are items 1 and 2: one well matched of two.
        var reversed = MemberOutcomes.Measure(7, [0.1, 0.9, 0.5, 0.2], [0.7f, 0.8f, 0.1f, 0.65f], [0.2f, 0.9f, 0.5f, 0.4f], [10, 11, 12, 13], 0.6, 2)!;
        Assert.Equal(0.5, reversed.Shown, 12);
        Assert.Equal(0.9, reversed.Apply, 6);

        Assert.Null(MemberOutcomes.Measure(8, [0.5], [0.2f], [0.1f], [1], 0.6, 2));
        Assert.Throws<ArgumentException>(() => MemberOutcomes.Measure(8, [0.5, 0.4], [0.2f], [0.1f], [1], 0.6, 2));
    }

    [Fact]
    public void GroupRatesAreStandardisedOverQualityBuckets()
    {
        // Bucket 1-5: A (x) 1.0, C (y) 0.5, D (y) 0.0; bucket 6-20: B (x) 0.5. Weights 3/4 and 1/4.
        // All: 0.75 · 0.5 + 0.25 · 0.5 = 0.5. x: 0.75 · 1.0 + 0.25 · 0.5 = 0.875. y reaches bucket 1-5 only: 0.25.
        MemberOutcome[] outcomes =
        [
            new(1, 2, 1.0, 0.4), new(2, 10, 0.5, 0.2), new(3, 3, 0.5, 0.3), new(4, 3, 0.0, double.NaN),
        ];
        var groups = MemberOutcomes.ByGroup(outcomes, m => m <= 2 ? "x" : "y", resamples: 0, seed: 1);
        var x = groups.Single(g => g.Group == "x");
        var y = groups.Single(g => g.Group == "y");
        Assert.Equal(0.5, MemberOutcomes.Overall(outcomes).Shown, 12);
        Assert.Equal(0.875, x.ShownRate, 12);
        Assert.Equal(1.75, x.ShownRatio, 12);
        Assert.Equal(0.5, y.ShownRatio, 12);
        Assert.Equal(1, x.MembersByQuality["6-20"]);
        // Apply skips D (nothing shown): all 0.75 · (0.4 + 0.3) / 2 + 0.25 · 0.2 = 0.3125; y: 0.3 → ratio 0.96.
        Assert.Equal(0.3125, MemberOutcomes.Overall(outcomes).Apply, 12);
        Assert.Equal(0.3 / 0.3125, y.ApplyRatio, 12);
        Assert.True(double.IsNaN(x.ShownRatioLow), "no resamples, no interval");

        // x is shown 1.75× and y 0.5× what all members are: both outside the four-fifths band; y's apply ratio is inside.
        Assert.Equal(["group shown: x 1.75", "group shown: y 0.50"], new FairnessThresholds { MinimumClass = 2 }.OutcomeFlags("group", groups));
        Assert.Empty(new FairnessThresholds { MinimumClass = 3 }.OutcomeFlags("group", groups));

        var resampled = MemberOutcomes.ByGroup(outcomes, m => m <= 2 ? "x" : "y", resamples: 100, seed: 1).Single(g => g.Group == "x");
        Assert.True(resampled.ShownRatioLow <= resampled.ShownRatioHigh);
    }
}
