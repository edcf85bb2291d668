// The rule a claim is judged by: a direction holds only when the means differ by more than twice the larger standard
// deviation over seeds; at the threshold itself, or within it, the variants tie.
using Lodestar.Core;

namespace Lodestar.Experiments.Tests;

public sealed class ExperimentReportTests
{
    [Theory]
    [InlineData(0.60, 0.02, 0.50, 0.01, "higher")]   // 0.10 > 2 × 0.02
    [InlineData(0.50, 0.01, 0.60, 0.03, "lower")]    // −0.10, |−0.10| > 2 × 0.03
    [InlineData(0.55, 0.03, 0.50, 0.01, "tie")]      // 0.05 < 2 × 0.03
    [InlineData(0.75, 0.25, 0.25, 0.00, "tie")]      // 0.5 = 2 × 0.25 exactly: not more than
    [InlineData(0.50, 0.00, 0.50, 0.00, "tie")]
    public void ADirectionHoldsOnlyBeyondTwiceTheLargerSpread(double mean, double sd, double baselineMean, double baselineSd, string verdict)
    {
        var comparison = ExperimentReport.Compare("b", new SeedSpread(mean, sd, mean, mean), "a", new SeedSpread(baselineMean, baselineSd, baselineMean, baselineMean), "recall@10");
        Assert.Equal(verdict, comparison.Verdict);
        Assert.Equal(mean - baselineMean, comparison.Difference, 12);
        Assert.Equal(2 * Math.Max(sd, baselineSd), comparison.Threshold, 12);
    }
}
