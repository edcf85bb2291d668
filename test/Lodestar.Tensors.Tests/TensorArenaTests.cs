// The arena under steps whose shapes vary, as a large model's batches do (padded to their longest sequence): it
// stops taking new memory once it has seen the shapes, where chunks sized exactly to each request were replaced
// step after step and left gigabytes to the collector.
namespace Lodestar.Tensors.Tests;

public sealed class TensorArenaTests
{
    [Fact]
    public void StepsOfGrowingShapesDoNotReplaceChunksStepAfterStep()
    {
        var arena = new TensorArena();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var step = 0; step < 40; step++)
        {
            arena.Reset();
            // A few large activations a step, each a little larger than the step before (the worst case for chunks sized
            // exactly), between small ones.
            var large = 5_000_000 + (step * 20_000);
            arena.Allocate([large], zeroed: false);
            arena.Allocate([1000], zeroed: false);
            arena.Allocate([large / 2], zeroed: false);
            arena.Allocate([large], zeroed: false);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // What the arena holds, plus what it let go of on the way, stays within twice what it holds.
        Assert.True(allocated < 2 * sizeof(float) * arena.CapacityFloats, $"{allocated:N0} bytes allocated for {arena.CapacityFloats * sizeof(float):N0} held");
        // And it holds less than twice one step's use.
        Assert.True(arena.CapacityFloats < 2 * (2.5 * 5_800_000L), $"{arena.CapacityFloats:N0} floats held");
    }

    [Fact]
    public void StepsAlternatingBetweenShapesAllocateNothingOnceBothWereSeen()
    {
        var arena = new TensorArena();
        int[][] steps =
        [
            [29_000_000, 7_000_000, 1000, 7_000_000, 6_400_000, 29_000_000],
            [6_400_000, 25_000_000, 300, 6_900_000, 25_000_000, 7_300_000, 2_000],
        ];
        long before = 0;
        for (var step = 0; step < 12; step++)
        {
            if (step == 2)
            {
                before = GC.GetAllocatedBytesForCurrentThread();
            }
            arena.Reset();
            foreach (var floats in steps[step % 2])
            {
                arena.Allocate([floats], zeroed: step % 3 == 0);
            }
        }
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 16, "the arena took new memory after both shapes were seen");
    }

    [Fact]
    public void FloatsInUseCountsTheStepsRequestsRoundedToCacheLinesAndStartsAgainAtReset()
    {
        var arena = new TensorArena();
        arena.Allocate([3, 5], zeroed: false);       // 15 floats → 16
        arena.Allocate([17], zeroed: true);          // → 32
        arena.Allocate([2_000_000], zeroed: false);  // a large block of its own, 2,000,000 already a multiple of 16
        Assert.Equal(16 + 32 + 2_000_000, arena.FloatsInUse);
        Assert.True(arena.CapacityFloats >= arena.FloatsInUse);
        arena.Reset();
        Assert.Equal(0, arena.FloatsInUse);
        arena.Allocate([1], zeroed: false);
        Assert.Equal(16, arena.FloatsInUse);
    }
}
