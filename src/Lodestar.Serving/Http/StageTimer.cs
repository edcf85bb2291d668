// Where a request's time went, stage by stage, as the Server-Timing header reports it (W3C Server Timing:
// `retrieve;dur=1.9, rank;dur=11.2, total;dur=14.0`, durations in milliseconds).
using System.Diagnostics;
using System.Globalization;

namespace Lodestar.Serving.Http;

public sealed class StageTimer
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly List<(string Stage, double Milliseconds)> _stages = [];
    private long _last;

    public StageTimer() => _last = _start;

    /// <summary>Ends the stage running since the previous lap (or the start) under <paramref name="stage"/>.</summary>
    public void Lap(string stage)
    {
        var now = Stopwatch.GetTimestamp();
        _stages.Add((stage, Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds));
        _last = now;
    }

    public IReadOnlyList<(string Stage, double Milliseconds)> Stages => _stages;

    public double TotalMilliseconds => Stopwatch.GetElapsedTime(_start).TotalMilliseconds;

    /// <summary>The Server-Timing header value: every lap, then the total.</summary>
    public string Header() => string.Join(", ",
        _stages.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Stage};dur={s.Milliseconds:F2}"))
            .Append(string.Create(CultureInfo.InvariantCulture, $"total;dur={TotalMilliseconds:F2}")));
}
