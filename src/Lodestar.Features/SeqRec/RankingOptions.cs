// How histories are ranked over the whole item vocabulary, shared by evaluation and recommendation so a
// served list follows the same rules as the evaluated one.
using Lodestar.Core;

namespace Lodestar.Features.SeqRec;

/// <summary>How a ranking over all items is computed: history exclusion, users per scorer call, worker threads.</summary>
public sealed record RankingOptions
{
    /// <summary>Remove the items of each user's history from that user's ranking, as ICLRec's published
    /// evaluation does (the target itself always stays ranked, even when it repeats a history item).
    /// False ranks history items too. Default true.</summary>
    public bool ExcludeHistory { get; init; } = true;

    /// <summary>How history items leave the ranking when <see cref="ExcludeHistory"/> is set. Default KeepTarget.</summary>
    /// <remarks>Written to JSON only when not the default, so the configs and recipe hashes of earlier runs are unchanged.</remarks>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public HistoryMask HistoryMask { get; init; }

    /// <summary>Users per scorer call; each worker holds BatchSize × (ItemCount + 1) floats. Default 256.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Worker threads scoring disjoint batches. Default 1 (the scorer may parallelise itself).</summary>
    public int Threads { get; init; } = 1;

    public void Validate()
    {
        this.Require(BatchSize >= 1, BatchSize, "must be at least 1");
        this.Require(Threads >= 1, Threads, "must be at least 1");
    }
}

/// <summary>The two rules for the items a user has already seen when their held-out item is ranked over all items.</summary>
public enum HistoryMask
{
    /// <summary>History items are not ranked at all; the target keeps its own score even when it repeats a history item.</summary>
    KeepTarget,

    /// <summary>
    /// The evaluation of BSARec, TV-Rec and WEARec (and ICLRec before them) to the letter: every history item's score is
    /// set to 0, the target's too when it repeats one, and the padding item 0 is ranked with score 0 (their padding
    /// embedding is zeros); items scoring below 0 fall behind all of them.
    /// </summary>
    Published,
}

public static class HistoryMasks
{
    /// <summary>The name of a rule on the command line and in reports: keep-target or published.</summary>
    public static string Name(HistoryMask mask) => mask == HistoryMask.Published ? "published" : "keep-target";

    /// <summary>The rule named <paramref name="name"/>; refused naming the choices.</summary>
    public static HistoryMask Parse(string name) => name switch
    {
        "published" => HistoryMask.Published,
        "keep-target" => HistoryMask.KeepTarget,
        _ => throw new ArgumentException($"history mask '{name}': use published or keep-target"),
    };

    /// <summary>What a rule does, stated beside every figure it produced.</summary>
    public static string Describe(RankingOptions options) => !options.ExcludeHistory
        ? "none: history items are ranked with their own scores"
        : $"{Name(options.HistoryMask)}: " + (options.HistoryMask == HistoryMask.Published
            ? "every history item (the target too when it repeats one) and the padding item score 0"
            : "history items are not ranked; a target repeating one keeps its own score");
}
