// Managed bytes the calling thread allocates between Start and Stop. GC.GetAllocatedBytesForCurrentThread counts
// the unused rest of the thread's allocation buffer as allocated when the runtime pauses the thread for a
// collection (a blocking one, or the short pauses inside a background one), so a pause between the two readings
// can show kilobytes from code that allocated nothing (seen on the index search: ~6.8 KB once per background
// collection caused by another thread's allocations, zero once readings spanning a pause were left out).
namespace Lodestar.Core;

public readonly struct AllocationReading
{
    private readonly long _bytes;
    private readonly TimeSpan _paused;

    private AllocationReading(long bytes, TimeSpan paused)
    {
        _bytes = bytes;
        _paused = paused;
    }

    public static AllocationReading Start() => new(GC.GetAllocatedBytesForCurrentThread(), GC.GetTotalPauseDuration());

    /// <summary>Bytes allocated on this thread since <see cref="Start"/>, and whether a collection paused the runtime in between.</summary>
    public (long Bytes, bool SpannedPause) Stop() => (GC.GetAllocatedBytesForCurrentThread() - _bytes, GC.GetTotalPauseDuration() != _paused);
}

/// <summary>
/// Bytes per call over many readings: over the readings that spanned no collection pause when there are any; over
/// all of them otherwise (code that allocates enough to cause a collection in every reading, where the buffer left
/// at a pause is small beside what it allocates).
/// </summary>
public sealed class AllocationTally
{
    private long _cleanBytes, _cleanCalls, _allBytes, _allCalls;

    public void Add(AllocationReading started, long calls = 1)
    {
        var (bytes, spannedPause) = started.Stop();
        _allBytes += bytes;
        _allCalls += calls;
        if (!spannedPause)
        {
            _cleanBytes += bytes;
            _cleanCalls += calls;
        }
    }

    public double BytesPerCall => _cleanCalls > 0 ? (double)_cleanBytes / _cleanCalls : _allCalls > 0 ? (double)_allBytes / _allCalls : 0;
}
