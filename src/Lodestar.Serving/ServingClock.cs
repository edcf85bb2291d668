// The world's time as the service knows it (Unix seconds): the newest post or impression in the store when it
// started, advanced by every event it ingests. Post ages and the freshness filter are measured against it, so a
// replayed world is served as of its own last day rather than the wall clock's.
namespace Lodestar.Serving;

public sealed class ServingClock(long start)
{
    private long _now = start;

    public long Now => Interlocked.Read(ref _now);

    /// <summary>Moves the clock to <paramref name="time"/> when that is later.</summary>
    public void Advance(long time)
    {
        var seen = Interlocked.Read(ref _now);
        while (time > seen)
        {
            var previous = Interlocked.CompareExchange(ref _now, time, seen);
            if (previous == seen)
            {
                return;
            }
            seen = previous;
        }
    }
}
