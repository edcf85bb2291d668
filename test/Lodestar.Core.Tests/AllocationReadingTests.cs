namespace Lodestar.Core.Tests;

public sealed class AllocationReadingTests
{
    [Fact]
    public void AnAllocationIsCountedAndACollectionInBetweenIsReported()
    {
        var reading = AllocationReading.Start();
        var array = new byte[10_000];
        var (bytes, _) = reading.Stop();
        GC.KeepAlive(array);
        Assert.InRange(bytes, 10_000, 1 << 20);

        reading = AllocationReading.Start();
        GC.Collect();
        Assert.True(reading.Stop().SpannedPause, "a blocking collection between the readings was not reported");
    }

    [Fact]
    public void ATallyOfNothingAllocatedIsZero()
    {
        var tally = new AllocationTally();
        var numbers = new int[64];
        for (var i = 0; i < 100; i++)
        {
            var reading = AllocationReading.Start();
            numbers[i % 64] += i;
            tally.Add(reading);
        }
        Assert.Equal(0, tally.BytesPerCall);
    }
}
