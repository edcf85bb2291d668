// Reads and writes a data directory's manifest.json (indented, atomic) and checks its schema version,
// so a reader never silently misreads files written by another version of the schema.
using System.Text.Json;
using Lodestar.Core;
using Lodestar.Data.Schema;

namespace Lodestar.Data.Storage;

public static class ManifestFile
{
    public static void Write(string directory, WorldManifest manifest)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, DataJson.Indented.WorldManifest);
        AtomicFile.WriteAllBytes(System.IO.Path.Combine(directory, WorldManifest.FileName), [.. bytes, (byte)'\n']);
    }

    public static WorldManifest Read(string directory)
    {
        var path = System.IO.Path.Combine(directory, WorldManifest.FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no manifest, so '{directory}' is not a Lodestar data directory or the command writing it did not finish (the manifest is written last)", path);
        }
        WorldManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(File.ReadAllBytes(path), DataJson.Compact.WorldManifest);
        }
        catch (JsonException ex)
        {
            throw new DataFormatException(path, (ex.LineNumber ?? 0) + 1, ex.Path, ex.Message.Split(" Path:")[0], ex);
        }
        if (manifest is null)
        {
            throw new DataFormatException(path, 1, null, "empty manifest");
        }
        if (RecordChecks.FirstProblem(manifest, DataJson.Compact.WorldManifest) is { } problem)
        {
            throw problem.In(path, 1);
        }
        if (manifest.SchemaVersion != WorldManifest.CurrentSchemaVersion)
        {
            throw new DataFormatException(path, 1, "schema_version", $"schema version {manifest.SchemaVersion}, this build reads {WorldManifest.CurrentSchemaVersion}");
        }
        return manifest;
    }

    /// <summary>Unix seconds of the directory's day 0 (its manifest's start_date at midnight UTC).</summary>
    public static long StartSeconds(string directory)
    {
        var manifest = Read(directory);
        if (!DateOnly.TryParseExact(manifest.StartDate, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var start))
        {
            throw new DataFormatException(System.IO.Path.Combine(directory, WorldManifest.FileName), 1, "start_date", $"\"{manifest.StartDate}\" is not a yyyy-MM-dd date");
        }
        return new DateTimeOffset(start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds();
    }
}
