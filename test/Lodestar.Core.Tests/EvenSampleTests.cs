// An even sample takes items ⌊i·n/k⌋, all of a shorter list, none of an empty one.
using Lodestar.Core;

namespace Lodestar.Core.Tests;

public class EvenSampleTests
{
    [Fact]
    public void ItemsAreSpreadEvenlyAndAShortListIsTakenWhole()
    {
        Assert.Equal([0, 3, 6], EvenSample.Of(Enumerable.Range(0, 10).ToArray(), 3));
        Assert.Equal([7, 8], EvenSample.Of([7, 8], 5));
        Assert.Empty(EvenSample.Of(Array.Empty<int>(), 4));
    }
}
