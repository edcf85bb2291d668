// Progress for an interactive terminal: one status line redrawn in place (carriage return, erase line) at most
// ten times a second, cleared before a line that stays is printed; a finished stage stays as a line. No colour
// codes.
using System.Text;

namespace Lodestar.Core.Progress;

public sealed class TerminalProgress(TextWriter writer, TimeProvider? clock = null) : IProgressReporter
{
    private const string EraseLine = "\r\u001b[2K";
    private const int BarWidth = 24;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private string _stage = "";
    private long _total;
    private long _lastTimestamp;
    private bool _drawn;
    private bool _finished;

    public void Start(string stage, long total)
    {
        lock (_gate)
        {
            (_stage, _total, _finished) = (stage, total, false);
            Draw(0, null);
        }
    }

    public void Report(long done, string? detail = null)
    {
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }
            _finished = _total > 0 && done >= _total;
            if (_finished || _clock.GetElapsedTime(_lastTimestamp) >= RedrawInterval)
            {
                Draw(done, detail);
            }
            if (_finished)
            {
                writer.WriteLine();
                writer.Flush();
                _drawn = false;
            }
        }
    }

    public void Line(string text)
    {
        lock (_gate)
        {
            if (_drawn)
            {
                writer.Write(EraseLine);
                _drawn = false;
            }
            writer.WriteLine(text);
            writer.Flush();
        }
    }

    private void Draw(long done, string? detail)
    {
        var line = new StringBuilder(EraseLine).Append(_stage).Append(' ');
        if (_total > 0)
        {
            var filled = (int)(BarWidth * Math.Min(done, _total) / _total);
            line.Append('[').Append('#', filled).Append('.', BarWidth - filled).Append("] ");
        }
        line.Append(ProgressReporter.FormatCount(done, _total));
        if (detail is not null)
        {
            line.Append(", ").Append(detail);
        }
        writer.Write(line.ToString());
        writer.Flush();
        _drawn = true;
        _lastTimestamp = _clock.GetTimestamp();
    }
}
