// Policy iteration: scores the same pairs under two policy versions and reports which labels change
// and by how much, per dimension and overall, with the largest changes listed for review.
using Lodestar.Data.Schema;
using Lodestar.Policy.Labeling;

namespace Lodestar.Policy;

/// <param name="Changed">Pairs whose score on this dimension differs.</param>
/// <param name="MeanShift">Mean of (new − old); positive when the new policy is more generous.</param>
public sealed record DimensionShift(string Dimension, int Changed, double MeanShift, double MeanAbsoluteShift);

public sealed record PairChange(PairKey Pair, double OldOverall, double NewOverall, IReadOnlyDictionary<string, int> OldScores, IReadOnlyDictionary<string, int> NewScores);

public sealed record PolicyDiffReport(
    string OldVersion,
    string NewVersion,
    int Pairs,
    int ChangedPairs,
    double MeanOverallShift,
    double MeanAbsoluteOverallShift,
    IReadOnlyList<DimensionShift> Dimensions,
    IReadOnlyList<string> AddedDimensions,
    IReadOnlyList<string> RemovedDimensions,
    IReadOnlyList<PairChange> LargestChanges);

public static class PolicyDiff
{
    public static PolicyDiffReport Compare(CompiledPolicy<Member, Job> oldPolicy, CompiledPolicy<Member, Job> newPolicy, IReadOnlyList<MatchPair> pairs, int top = 20)
    {
        var oldIds = oldPolicy.Document.Dimensions.Select(d => d.Id).ToList();
        var newIds = newPolicy.Document.Dimensions.Select(d => d.Id).ToList();
        var shared = oldIds.Intersect(newIds).ToList();
        var changes = new List<PairChange>(pairs.Count);
        foreach (var pair in pairs)
        {
            var before = oldPolicy.Score(pair.Member, pair.Job);
            var after = newPolicy.Score(pair.Member, pair.Job);
            changes.Add(new PairChange(pair.Key, before.Overall, after.Overall,
                PolicyScorerLabeler.ToDictionary(oldPolicy.Document, before.Scores), PolicyScorerLabeler.ToDictionary(newPolicy.Document, after.Scores)));
        }
        var dimensions = shared.Select(id => new DimensionShift(
            id,
            changes.Count(c => c.OldScores[id] != c.NewScores[id]),
            changes.Count == 0 ? 0 : changes.Average(c => c.NewScores[id] - c.OldScores[id]),
            changes.Count == 0 ? 0 : changes.Average(c => Math.Abs(c.NewScores[id] - c.OldScores[id])))).ToList();
        var changed = changes.Where(c => c.OldOverall != c.NewOverall || shared.Any(id => c.OldScores[id] != c.NewScores[id])).ToList();
        return new PolicyDiffReport(
            oldPolicy.Document.VersionKey,
            newPolicy.Document.VersionKey,
            pairs.Count,
            changed.Count,
            changes.Count == 0 ? 0 : changes.Average(c => c.NewOverall - c.OldOverall),
            changes.Count == 0 ? 0 : changes.Average(c => Math.Abs(c.NewOverall - c.OldOverall)),
            dimensions,
            newIds.Except(oldIds).ToList(),
            oldIds.Except(newIds).ToList(),
            changed.OrderByDescending(c => Math.Abs(c.NewOverall - c.OldOverall)).ThenBy(c => c.Pair.MemberId).ThenBy(c => c.Pair.JobId).Take(top).ToList());
    }
}
