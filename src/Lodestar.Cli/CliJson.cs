// Machine-readable output: every command that produces figures prints one JSON object per result
// (snake_case keys) when given --json.
using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lodestar.Cli;

public static class CliJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The shared `--json` flag.</summary>
    public static Option<bool> CreateOption() => new("--json") { Description = "Print one JSON object per result instead of a table." };

    /// <summary>Writes one object as a single JSON line on stdout.</summary>
    public static void WriteLine<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Options));
}
