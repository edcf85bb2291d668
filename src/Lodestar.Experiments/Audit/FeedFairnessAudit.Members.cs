// The member side of the feed audit: the ranker's view of a member (its rank values for a fixed set of posts) for the
// proxy probes, and the proof by counterfactual that no ranker input reads a protected attribute.
using Lodestar.Core.Progress;
using Lodestar.Data.GroundTruth;
using Lodestar.Data.Storage;
using Lodestar.Evaluation.Fairness;
using Lodestar.Features.FeedRanking;
using Lodestar.Training.FeedRanking;

namespace Lodestar.Experiments.Audit;

public static partial class FeedFairnessAudit
{
    private static List<ProbeAudit> AuditProbes(FinishedFeedRun run, Dictionary<long, MemberAudit> audit, FairnessThresholds thresholds, ulong seed, IProgressReporter? progress)
    {
        var firstDay = new SortedDictionary<long, int>();
        foreach (var day in run.Examples.Test)
        {
            if (!firstDay.TryGetValue(day.MemberId, out var known) || day.Day < known)
            {
                firstDay[day.MemberId] = day.Day;
            }
        }
        var members = firstDay.Keys.Where(audit.ContainsKey).ToArray();
        var testStart = run.Examples.Boundaries.TestStart;
        // The most shown posts before the test days: every member's first test day comes after they were created.
        var probePosts = run.Log.Posts.Keys
            .Select(id => (Id: id, Shown: run.Log.CountsBefore(id, testStart).Impressions))
            .OrderByDescending(p => p.Shown).ThenBy(p => p.Id).Take(MemberProbes.ProbeItems).Select(p => p.Id).ToArray();

        var features = new FeedRankingFeatures(run.Log);
        var start = ManifestFile.StartSeconds(run.Config.World);
        var width = probePosts.Length;
        var rows = new float[members.Length * width];
        var counter = progress is null ? null : ProgressCounter.Start(progress, "probe", members.Length);
        for (var i = 0; i < members.Length; i++)
        {
            var day = firstDay[members[i]];
            var request = features.Request(members[i], day, start + (day * 86_400L), probePosts, run.Model.Config.MaxHistory);
            var values = Values(run.Model.Score(request.History, request.Candidates, run.Model.Config.FusedFeatures == 0 ? [] : request.Features));
            for (var k = 0; k < width; k++)
            {
                rows[(i * width) + k] = (float)values[k];
            }
            counter?.Advance();
        }
        return MemberProbes.Measure(run.Config.World, members, rows, width, audit, thresholds, seed);
    }

    /// <summary>Opens the run again on a copy of its world with every member's attributes changed; compares every test input and score.</summary>
    private static InvarianceCheck CheckInvariance(string runDirectory, FinishedFeedRun run, List<float[]> scores)
    {
        var (changed, (inputsDiffering, scoresCompared, scoresDiffering)) = AuditWorld.WithChangedAttributes(run.Config.World, copy =>
        {
            var other = FeedRankingRun.Open(runDirectory, copy);
            var otherScores = ModelScores(other, other.Examples.Test, progress: null);
            long inputs = Math.Abs(other.Examples.Test.Count - run.Examples.Test.Count);
            long compared = 0;
            long differing = 0;
            for (var d = 0; d < Math.Min(run.Examples.Test.Count, other.Examples.Test.Count); d++)
            {
                var (a, b) = (run.Examples.Test[d], other.Examples.Test[d]);
                var same = a.MemberId == b.MemberId && a.Day == b.Day && a.HistoryCount == b.HistoryCount
                    && a.History.SequenceEqual(b.History) && a.Candidates.SequenceEqual(b.Candidates) && a.ImpressionIds.SequenceEqual(b.ImpressionIds)
                    && a.Actions.SequenceEqual(b.Actions) && AuditWorld.BitsDiffering(a.Features, b.Features) == 0;
                inputs += same ? 0 : 1;
                compared += scores[d].Length;
                differing += AuditWorld.BitsDiffering(scores[d], otherScores[d]);
            }
            return (inputs, compared, differing);
        });
        return new InvarianceCheck(AuditWorld.Change, changed, run.Examples.Test.Count, inputsDiffering, scoresCompared, scoresDiffering);
    }
}
