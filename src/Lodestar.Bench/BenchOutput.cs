// How benchmark commands print, supplied by the command line so every command follows one convention: the
// shared --json flag, one JSON line per result on standard output, and tables on a console that keeps standard
// output for JSON when --json is given.
using System.CommandLine;
using Spectre.Console;

namespace Lodestar.Bench;

/// <param name="CreateJsonOption">Makes the shared --json flag.</param>
/// <param name="WriteJson">Writes one result as a single JSON line on standard output.</param>
/// <param name="ConsoleFor">The console for tables and notes, given whether --json holds standard output.</param>
public sealed record BenchOutput(Func<Option<bool>> CreateJsonOption, Action<object> WriteJson, Func<bool, IAnsiConsole> ConsoleFor);
