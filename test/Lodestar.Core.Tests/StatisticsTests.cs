// Median, sample standard deviation and the spread over seeds on values worked out by hand.
using Lodestar.Core;

namespace Lodestar.Core.Tests;

public sealed class StatisticsTests
{
    [Fact]
    public void TheMedianIsTheMiddleValueOrTheMeanOfTheTwoMiddleValues()
    {
        Assert.Equal(3, Statistics.Median([5, 3, 1]));
        Assert.Equal(2.5, Statistics.Median([4, 1, 2, 3]));
        Assert.Equal(7, Statistics.Median([7]));
        Assert.Throws<ArgumentException>(() => Statistics.Median([]));
    }

    [Fact]
    public void TheSampleStandardDeviationDividesByNMinusOne()
    {
        // Mean 5, squared deviations 9+1+1+9 = 20, divided by 3.
        Assert.Equal(Math.Sqrt(20.0 / 3), Statistics.SampleStandardDeviation([2, 4, 6, 8]), 12);
        Assert.Equal(0, Statistics.SampleStandardDeviation([3.5]));
        Assert.Equal(0, Statistics.SampleStandardDeviation([]));
    }

    [Fact]
    public void ASpreadOverSeedsHasMeanSdMinAndMax()
    {
        var spread = SeedSpread.Of([0.25, 0.5, 0.75]);
        Assert.Equal(0.5, spread.Mean, 12);
        Assert.Equal(0.25, spread.Std, 12);
        Assert.Equal(0.25, spread.Min);
        Assert.Equal(0.75, spread.Max);
        Assert.Throws<ArgumentException>(() => SeedSpread.Of([]));
    }
}
