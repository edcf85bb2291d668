// Leave-one-out splits of chronological item sequences (SASRec, S3-Rec, ICLRec): per user the last item is
// the test target, the second-to-last the validation target, and everything before them is training data.
using Lodestar.Models;

namespace Lodestar.Features.SeqRec;

/// <summary>Where a sequence data set came from, recorded in every run so a number can be traced to its bytes.</summary>
public sealed record DataProvenance(string File, string Sha256, int Users, int Items, long Interactions);

public sealed class SequenceSplits
{
    private SequenceSplits(DataProvenance provenance, long[] userIds, int[][] sequences)
    {
        Provenance = provenance;
        UserIds = userIds;
        Sequences = sequences;
        Training = [.. sequences.Select(s => (ReadOnlyMemory<int>)s.AsMemory(0, s.Length - 2))];
        Validation = [.. sequences.Select((s, u) => new RankingCase(u, s.AsMemory(0, s.Length - 2), s[^2]))];
        Test = [.. sequences.Select((s, u) => new RankingCase(u, s.AsMemory(0, s.Length - 1), s[^1]))];
    }

    public DataProvenance Provenance { get; }

    public int ItemCount => Provenance.Items;

    /// <summary>The data set's user id of each user index (the index is what models and cases use).</summary>
    public IReadOnlyList<long> UserIds { get; }

    /// <summary>Every user's whole sequence, oldest first: the history used to recommend what comes next.</summary>
    public IReadOnlyList<int[]> Sequences { get; }

    /// <summary>Per user all items but the last two: the only items a model is fitted on.</summary>
    public IReadOnlyList<ReadOnlyMemory<int>> Training { get; }

    /// <summary>Per user: history = training items, target = second-to-last item.</summary>
    public IReadOnlyList<RankingCase> Validation { get; }

    /// <summary>Per user: history = all items but the last (validation item included), target = last item.</summary>
    public IReadOnlyList<RankingCase> Test { get; }

    /// <summary>Splits <paramref name="sequences"/> (item ids 1..Items); every user needs at least 3 items.</summary>
    public static SequenceSplits Create(DataProvenance provenance, long[] userIds, int[][] sequences)
    {
        if (userIds.Length != sequences.Length)
        {
            throw new ArgumentException($"{userIds.Length} user ids for {sequences.Length} sequences");
        }
        for (var u = 0; u < sequences.Length; u++)
        {
            if (sequences[u].Length < 3)
            {
                throw new ArgumentException($"{provenance.File}: user {userIds[u]} has {sequences[u].Length} items; leave-one-out needs at least 3 (train, validation, test)");
            }
            foreach (var item in sequences[u])
            {
                if (item < 1 || item > provenance.Items)
                {
                    throw new ArgumentException($"{provenance.File}: user {userIds[u]} has item {item} outside 1..{provenance.Items}");
                }
            }
        }
        return new SequenceSplits(provenance, userIds, sequences);
    }

    /// <summary>The user index of a data-set user id, or a clear error.</summary>
    public int IndexOfUser(long userId)
    {
        for (var u = 0; u < UserIds.Count; u++)
        {
            if (UserIds[u] == userId)
            {
                return u;
            }
        }
        throw new ArgumentException($"{Provenance.File}: no user {userId}");
    }
}
