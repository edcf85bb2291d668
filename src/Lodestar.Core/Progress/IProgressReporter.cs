// What every long Lodestar job reports while it works: stages of counted units and lines that stay. The command
// line decides how it is drawn (a redrawn bar on a terminal, plain timed lines in a log); library code only
// reports.
namespace Lodestar.Core.Progress;

public interface IProgressReporter
{
    /// <summary>A new stage of <paramref name="total"/> units (batches, users, rows; 0 when unknown) starts.</summary>
    void Start(string stage, long total);

    /// <summary><paramref name="done"/> units of the current stage are finished; <paramref name="detail"/> (a loss, a rate) is shown beside the count.</summary>
    void Report(long done, string? detail = null);

    /// <summary>A line that stays in the output: an epoch's figures, a finished stage's summary.</summary>
    void Line(string text);
}
