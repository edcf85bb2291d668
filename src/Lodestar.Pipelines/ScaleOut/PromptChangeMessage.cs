// A prompt change as a stream entry: whose prompt, its new version, the token ids to embed, and where it came from
// (the ingestion time of the event that caused it and its kind) so freshness can be measured where it lands.
using Lodestar.Pipelines.Store;
using StackExchange.Redis;

namespace Lodestar.Pipelines.ScaleOut;

public sealed record PromptChangeMessage(EntityKey Key, int Version, long Created, long SourceMicros, string Cause, int[] Tokens)
{
    public NameValueEntry[] ToEntry() =>
    [
        new("kind", (int)Key.Kind),
        new("id", Key.Id),
        new("version", Version),
        new("created", Created),
        new("source_us", SourceMicros),
        new("cause", Cause),
        new("tokens", NearlineStore.TokenBytes(Tokens)),
    ];

    /// <summary>Reads an entry written by <see cref="ToEntry"/>; a field missing or of the wrong type is an error naming it and the entry.</summary>
    public static PromptChangeMessage Read(StreamEntry entry)
    {
        long Number(string name) => entry[name] is { IsNull: false } value && value.TryParse(out long number) ? number
            : throw new InvalidDataException($"prompt change {entry.Id}: field \"{name}\" is missing or not an integer");
        var tokens = entry["tokens"];
        if (tokens.IsNull)
        {
            throw new InvalidDataException($"prompt change {entry.Id}: field \"tokens\" is missing");
        }
        return new PromptChangeMessage(new EntityKey((EntityKind)Number("kind"), Number("id")), (int)Number("version"), Number("created"), Number("source_us"),
            entry["cause"].IsNull ? "unknown" : (string)entry["cause"]!, NearlineStore.Tokens((byte[])tokens!));
    }
}
