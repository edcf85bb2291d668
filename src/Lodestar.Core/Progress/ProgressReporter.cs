// Chooses how progress is drawn: a bar redrawn in place when standard error is a terminal, plain lines at most
// one every few seconds when it is a log file, a pipe or CI. Neither writes colour codes, so NO_COLOR holds.
namespace Lodestar.Core.Progress;

public static class ProgressReporter
{
    /// <summary>Drops every report (tests, library callers that want no output).</summary>
    public static IProgressReporter None { get; } = new NoProgress();

    /// <summary>
    /// The reporter for standard error: <see cref="TerminalProgress"/> when it is an interactive terminal
    /// (not redirected, TERM not "dumb", CI unset), otherwise <see cref="PlainLineProgress"/>.
    /// </summary>
    public static IProgressReporter ForStandardError() =>
        StandardErrorIsTerminal() ? new TerminalProgress(Console.Error) : new PlainLineProgress(Console.Error);

    /// <summary>True when standard error is a terminal that can redraw a line in place.</summary>
    public static bool StandardErrorIsTerminal() =>
        !Console.IsErrorRedirected
        && !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal)
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>"45% (450/1000)" or, for an unknown total, "450".</summary>
    public static string FormatCount(long done, long total) =>
        total > 0 ? $"{100.0 * Math.Min(done, total) / total:F0}% ({done:N0}/{total:N0})" : $"{done:N0}";

    private sealed class NoProgress : IProgressReporter
    {
        public void Start(string stage, long total)
        {
        }

        public void Report(long done, string? detail = null)
        {
        }

        public void Line(string text)
        {
        }
    }
}
