// Counts units that many threads finish and reports the running total, for work that advances in pieces
// (evaluation over users in parallel, batches of an epoch).
namespace Lodestar.Core.Progress;

public sealed class ProgressCounter(IProgressReporter reporter)
{
    private long _done;

    /// <summary>Adds <paramref name="units"/> finished units and reports the total so far; safe from any thread.</summary>
    public void Advance(int units = 1) => reporter.Report(Interlocked.Add(ref _done, units));

    /// <summary>Starts <paramref name="stage"/> on <paramref name="reporter"/> and returns its counter.</summary>
    public static ProgressCounter Start(IProgressReporter reporter, string stage, long total)
    {
        ArgumentNullException.ThrowIfNull(reporter);
        reporter.Start(stage, total);
        return new ProgressCounter(reporter);
    }
}
