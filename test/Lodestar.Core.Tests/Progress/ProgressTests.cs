// Plain-line progress prints whole lines, spaced by its interval, with the final count always shown; the
// terminal drawer redraws in place and never writes colour codes.
using Lodestar.Core.Progress;

namespace Lodestar.Core.Tests.Progress;

public sealed class ProgressTests
{
    [Fact]
    public void PlainLinesAreSpacedByTheIntervalAndTheLastCountAlwaysShows()
    {
        var clock = new ManualClock();
        var output = new StringWriter();
        var progress = new PlainLineProgress(output, TimeSpan.FromSeconds(5), clock);
        progress.Start("training student", 1000);
        for (var done = 1; done <= 1000; done++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(20));
            progress.Report(done, $"loss {1.0 / done:F3}");
        }
        progress.Line("epoch 1: loss 0.001");
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        // 20 s of work at one line per 5 s: the start line, four timed counts (the last is the finish), the epoch line.
        Assert.Equal(
            [
                "training student: 1,000 to do",
                "training student: 25% (250/1,000), loss 0.004",
                "training student: 50% (500/1,000), loss 0.002",
                "training student: 75% (750/1,000), loss 0.001",
                "training student: 100% (1,000/1,000), loss 0.001",
                "epoch 1: loss 0.001",
            ],
            lines);
        Assert.DoesNotContain('\u001b', output.ToString());
        Assert.DoesNotContain('\r', output.ToString().Replace(Environment.NewLine, "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void AnUnknownTotalPrintsCountsOnly()
    {
        var clock = new ManualClock();
        var output = new StringWriter();
        var progress = new PlainLineProgress(output, TimeSpan.FromSeconds(1), clock);
        progress.Start("reading rows", 0);
        clock.Advance(TimeSpan.FromSeconds(2));
        progress.Report(12345);
        Assert.Equal(["reading rows: started", "reading rows: 12,345"], output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void TheTerminalBarRedrawsInPlaceAndAFinishedStageStays()
    {
        var clock = new ManualClock();
        var output = new StringWriter();
        var progress = new TerminalProgress(output, clock);
        progress.Start("tokenizing", 4);
        clock.Advance(TimeSpan.FromSeconds(1));
        progress.Report(2);
        progress.Report(3);
        progress.Line("halfway note");
        clock.Advance(TimeSpan.FromSeconds(1));
        progress.Report(4);
        progress.Report(4);
        var text = output.ToString();
        Assert.Contains("\r\u001b[2Ktokenizing [############............] 50% (2/4)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("(3/4)", text, StringComparison.Ordinal);
        Assert.Contains("\r\u001b[2Khalfway note" + Environment.NewLine, text, StringComparison.Ordinal);
        Assert.EndsWith("tokenizing [########################] 100% (4/4)" + Environment.NewLine, text, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[3", text, StringComparison.Ordinal);
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
