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
