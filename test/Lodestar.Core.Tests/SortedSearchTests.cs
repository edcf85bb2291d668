// LowerBound against a linear scan on random sorted arrays with repeats, below, inside and above their range.
namespace Lodestar.Core.Tests;

public class SortedSearchTests
{
    [Fact]
    public void LowerBoundIsTheFirstIndexNotBelowTheValue()
    {
        var random = new SeededRandom(11);
        for (var trial = 0; trial < 500; trial++)
        {
            var sorted = Enumerable.Range(0, random.NextInt(20)).Select(_ => random.NextInt(10) - 3).Order().ToArray();
            var value = random.NextInt(16) - 5;
            var expected = Array.FindIndex(sorted, x => x >= value) is var i and >= 0 ? i : sorted.Length;
            Assert.Equal(expected, SortedSearch.LowerBound(sorted, value));
        }
    }
}
