// Asserts that a warm operation allocates no managed memory on the calling thread, measured call by call.
// The runtime's tiered JIT occasionally allocates a few KB on whichever thread triggers a tier-up (seen as a
// single 4.7-7.5 KB reading in hundreds of calls, never with DOTNET_TieredCompilation=0), so one nonzero
// reading among the measured calls is tolerated; code that allocates on every call, or every other call,
// still fails. A reading that spans a collection pause is taken again.
using Lodestar.Core;
using Xunit;

namespace Lodestar.TestSupport;

public static class SteadyStateAllocation
{
    /// <summary>Runs <paramref name="step"/> warmRuns times, then measuredRuns times, each measured on its own.</summary>
    public static void AssertNone(Action step, int warmRuns = 2, int measuredRuns = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(measuredRuns, 4);
        for (int i = 0; i < warmRuns; i++)
        {
            step();
        }
        var allocated = new long[measuredRuns];
        for (int i = 0; i < measuredRuns; i++)
        {
            // A reading that spanned a collection pause says nothing (AllocationReading): the run is measured again.
            for (int attempt = 0; attempt < 5; attempt++)
            {
                var reading = AllocationReading.Start();
                step();
                (allocated[i], var spannedPause) = reading.Stop();
                if (!spannedPause)
                {
                    break;
                }
            }
        }
        int allocatingRuns = allocated.Count(bytes => bytes != 0);
        Assert.True(allocatingRuns <= 1,
            $"{allocatingRuns} of {measuredRuns} warm calls allocated managed memory (bytes per call: {string.Join(", ", allocated)})");
    }
}
