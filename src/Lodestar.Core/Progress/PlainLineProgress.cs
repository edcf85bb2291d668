// Progress for logs, pipes and CI: whole lines only, no cursor or colour codes, and at most one count line per
// interval (the last count of a stage is always printed), so a long run leaves a readable, short log.
namespace Lodestar.Core.Progress;

public sealed class PlainLineProgress(TextWriter writer, TimeSpan? interval = null, TimeProvider? clock = null) : IProgressReporter
{
    /// <summary>The default spacing of count lines.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    private readonly TimeSpan _interval = interval ?? DefaultInterval;
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private string _stage = "";
    private long _total;
    private long _lastPrinted = -1;
    private long _lastTimestamp;

    public void Start(string stage, long total)
    {
        lock (_gate)
        {
            (_stage, _total, _lastPrinted) = (stage, total, -1);
            _lastTimestamp = _clock.GetTimestamp();
            writer.WriteLine(total > 0 ? $"{stage}: {total:N0} to do" : $"{stage}: started");
            writer.Flush();
        }
    }

    public void Report(long done, string? detail = null)
    {
        lock (_gate)
        {
            var finished = _total > 0 && done >= _total;
            if (done == _lastPrinted || (!finished && _clock.GetElapsedTime(_lastTimestamp) < _interval))
            {
                return;
            }
            (_lastPrinted, _lastTimestamp) = (done, _clock.GetTimestamp());
            writer.WriteLine($"{_stage}: {ProgressReporter.FormatCount(done, _total)}{(detail is null ? "" : ", " + detail)}");
            writer.Flush();
        }
    }

    public void Line(string text)
    {
        lock (_gate)
        {
            writer.WriteLine(text);
            writer.Flush();
        }
    }
}
