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

    /// <summary>A finished training run on stdout: its summary as one JSON line, or its description and test figures.</summary>
    public static void WriteRun<TConfig>(Training.Loop.RunRecord<TConfig> record, string runDirectory, bool json)
    {
        if (json)
        {
            WriteLine(new { record.Task, record.Status, record.StopReason, record.BestEpoch, record.BestValidation, record.Test, record.WallSeconds, Run = runDirectory });
            return;
        }
        Console.Out.WriteLine(record.Describe());
        foreach (var (key, value) in record.Test ?? new Dictionary<string, double>())
        {
            Console.Out.WriteLine($"  test {key}: {value:F4}");
        }
    }
}
