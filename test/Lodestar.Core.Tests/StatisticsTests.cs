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
    public void PercentilesInterpolateBetweenNeighbouringRanksAsNumpyDoes()
    {
        // numpy.percentile([1, 2, 3, 4, 10], [0, 50, 90, 99, 100]) = [1, 3, 7.6, 9.76, 10].
        double[] values = [10, 2, 4, 1, 3];
        Assert.Equal(1, Statistics.Percentile(values, 0));
        Assert.Equal(3, Statistics.Percentile(values, 0.5));
        Assert.Equal(7.6, Statistics.Percentile(values, 0.9), 12);
        Assert.Equal(9.76, Statistics.Percentile(values, 0.99), 12);
        Assert.Equal(10, Statistics.Percentile(values, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Statistics.Percentile(values, 1.5));
        Assert.Throws<ArgumentException>(() => Statistics.Percentile([], 0.5));
    }

    [Fact]
    public void TheNearestRankIsAValueOfTheData()
    {
        long[] sorted = [1, 1, 2, 5, 9, 40, 41, 42, 43, 100];
        Assert.Equal(40, Statistics.NearestRank(sorted, 0.5));
        Assert.Equal(100, Statistics.NearestRank(sorted, 0.9));
        Assert.Equal(100, Statistics.NearestRank(sorted, 1));
        Assert.Equal(1, Statistics.NearestRank(sorted, 0));
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
