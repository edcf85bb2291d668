// What a search may return: items not excluded (a member's already-seen posts), created at or after a time
// (only fresh posts), and, when an allow-list is given, only items on it. Top-k is over the items that pass.
namespace Lodestar.Index;

public sealed record SearchFilter
{
    /// <summary>Ids never returned (null: none excluded).</summary>
    public IReadOnlySet<long>? ExcludeIds { get; init; }

    /// <summary>Only items created at or after this time (the creation time given on upsert; null: any time).</summary>
    public long? MinCreatedAt { get; init; }

    /// <summary>When set, only these ids may be returned.</summary>
    public IReadOnlySet<long>? AllowIds { get; init; }

    /// <summary>True when the filter keeps every item, so a search may skip asking it.</summary>
    public bool KeepsAll => ExcludeIds is null && MinCreatedAt is null && AllowIds is null;

    public bool Passes(long id, long createdAt) =>
        (MinCreatedAt is not { } min || createdAt >= min)
        && (ExcludeIds is null || !ExcludeIds.Contains(id))
        && (AllowIds is null || AllowIds.Contains(id));
}
