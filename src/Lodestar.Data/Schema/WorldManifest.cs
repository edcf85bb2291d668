// The manifest written beside every data directory: what produced it, from which seed and parameters,
// with which schema version, and how many records each file holds.
using System.Text.Json;

namespace Lodestar.Data.Schema;

/// <summary>Describes one data directory. <c>Source</c> is "generated", "mind", "seq" or "movielens";
/// <c>Parameters</c> is the resolved generator config or the importer's options; <c>Counts</c> maps file
/// name to record count; <c>StartDate</c> is day 0 (ISO date).</summary>
public sealed record WorldManifest(
    int SchemaVersion,
    string Source,
    ulong Seed,
    string StartDate,
    JsonElement Parameters,
    IReadOnlyDictionary<string, long> Counts,
    long SkippedBadLines)
{
    /// <summary>Bumped whenever a record gains, loses or renames a field.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>The manifest's file name inside a data directory.</summary>
    public const string FileName = "manifest.json";
}
