// The one JSON contract of the data schema: snake_case property names, enums as snake_case strings,
// nulls omitted, source-generated so 20M-event files serialise without reflection.
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lodestar.Data.Schema;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(Member))]
[JsonSerializable(typeof(Company))]
[JsonSerializable(typeof(Job))]
[JsonSerializable(typeof(Post))]
[JsonSerializable(typeof(FeedImpression))]
[JsonSerializable(typeof(JobEvent))]
[JsonSerializable(typeof(ProfileChange))]
[JsonSerializable(typeof(RecruiterSearch))]
[JsonSerializable(typeof(ItemInteraction))]
[JsonSerializable(typeof(Occupation))]
[JsonSerializable(typeof(WorldManifest))]
[JsonSerializable(typeof(Seniority))]
[JsonSerializable(typeof(ActivityLevel))]
[JsonSerializable(typeof(PostFormat))]
[JsonSerializable(typeof(JobAction))]
public sealed partial class DataJsonContext : JsonSerializerContext;

/// <summary>Indented options for the small human-read files (the manifest).</summary>
public static class DataJson
{
    /// <summary>Escapes only what JSON requires (quotes, control characters), so text like "R&amp;D" stays readable.</summary>
    public static JavaScriptEncoder Encoder { get; } = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static DataJsonContext Compact { get; } = DataJsonContext.Default;

    public static DataJsonContext Indented { get; } = new(new JsonSerializerOptions(DataJsonContext.Default.Options) { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
