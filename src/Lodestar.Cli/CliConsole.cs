// The consoles the command line writes tables and markup to: ANSI codes only on a terminal, no colour when
// NO_COLOR is set (https://no-color.org), so a log, a pipe or CI gets plain text.
using Spectre.Console;

namespace Lodestar.Cli;

public static class CliConsole
{
    /// <summary>Points Spectre's default console (standard output) at the rules below; called once at start-up.</summary>
    public static void Configure() => AnsiConsole.Console = Create(Console.Out, Console.IsOutputRedirected);

    /// <summary>A console on standard error, for tables that must not mix with --json on standard output.</summary>
    public static IAnsiConsole StandardError() => Create(Console.Error, Console.IsErrorRedirected);

    /// <summary>Standard error when <paramref name="asJson"/> keeps standard output for JSON, else standard output.</summary>
    public static IAnsiConsole For(bool asJson) => asJson ? StandardError() : AnsiConsole.Console;

    private static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        var plain = redirected || string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal);
        var noColor = plain || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        return AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = plain ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = noColor ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = plain ? InteractionSupport.No : InteractionSupport.Detect,
        });
    }
}
