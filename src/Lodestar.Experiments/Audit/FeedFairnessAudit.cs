// The fairness audit of a feed ranker run over its test member-days: how exposure falls on creator groups against
// the world's true merit (beside popularity, the merit order itself and two deliberately biased rankers that the
// thresholds must catch), whether the ranker's view of a member carries a protected attribute (a probe beside one on
// the member's professional signals, and beside a representation given a gender proxy on purpose), and whether
// changing every member's protected attributes changes any ranker input or score.
using Lodestar.Core.Progress;
using Lodestar.Data.GroundTruth;
using Lodestar.Data.Schema;
using Lodestar.Evaluation.Fairness;
using Lodestar.Evaluation.FeedRanking;
using Lodestar.Features.FeedRanking;
using Lodestar.Models.FeedRanking;
using Lodestar.Training.FeedRanking;

namespace Lodestar.Experiments.Audit;

public static partial class FeedFairnessAudit
{
    public static FairnessReport Run(string runDirectory, string? world, PositionAttention attention, FairnessThresholds thresholds, ulong seed, IProgressReporter? progress = null)
    {
        var run = FeedRankingRun.Open(runDirectory, world);
        if (run.Truth is null)
        {
            throw new ArgumentException($"{run.Config.World}: no {DataFiles.GroundTruthDirectory}/{TruthFiles.ImpressionProbabilities}; the audit weighs exposure against true merit, which only generated worlds have");
        }
        var audit = AuditWorld.ReadAttributes(run.Config.World);
        var days = run.Examples.Test;
        var scores = ModelScores(run, days, progress);
        var rankers = AuditExposure(run, days, scores, audit, attention, thresholds, seed);
        var probes = AuditProbes(run, audit, thresholds, seed, progress);
        var invariance = CheckInvariance(runDirectory, run, scores);
        string[] definitions =
        [
            $"Lists: the {days.Count:N0} test member-days of the run, each day's impressions ranked by every ranker below.",
            $"Attention by position: {attention.Name}.",
            "Merit: Σ weight·p(action) over the positively weighted actions, from the world's true probabilities.",
            $"Exposure is flagged when a group's exposure ÷ the exposure a merit order gives the same posts is below {thresholds.ExposureRatioLow} or above {thresholds.ExposureRatioHigh} (the four-fifths rule, both ways), over at least {thresholds.MinimumItems} shown posts; the interval beside each ratio is the middle 95% over member-days resampled with replacement, and the flag reads the ratio itself.",
        ];
        return new FairnessReport(runDirectory, FeedRankerModel.Kind, run.Config.World, definitions, thresholds, days.Count, rankers, [], probes, invariance,
            FeedbackLoops.Measure(run.Log, FeedRelevance.Open(run.Config.World)));
    }

    /// <summary>The rank value Σ weight·p(action) of each candidate (K per member-day).</summary>
    public static double[] Values(ReadOnlySpan<float> probabilities, bool positiveOnly = false)
    {
        var values = new double[probabilities.Length / FeedTasks.Count];
        for (var k = 0; k < values.Length; k++)
        {
            for (var t = 0; t < FeedTasks.Count; t++)
            {
                var weight = FeedTasks.ValueWeights[t];
                if (!positiveOnly || weight > 0)
                {
                    values[k] += weight * probabilities[(k * FeedTasks.Count) + t];
                }
            }
        }
        return values;
    }

    private static List<float[]> ModelScores(FinishedFeedRun run, IReadOnlyList<FeedMemberDay> days, IProgressReporter? progress)
    {
        run.Model.Eval();
        var counter = progress is null ? null : ProgressCounter.Start(progress, "score", days.Count);
        var scores = new List<float[]>(days.Count);
        foreach (var day in days)
        {
            scores.Add(run.Model.Score(day.History, day.Candidates, run.Model.Config.FusedFeatures == 0 ? [] : day.Features));
            counter?.Advance();
        }
        return scores;
    }

    private static List<RankerAudit> AuditExposure(FinishedFeedRun run, IReadOnlyList<FeedMemberDay> days, List<float[]> scores,
        Dictionary<long, MemberAudit> audit, PositionAttention attention, FairnessThresholds thresholds, ulong seed)
    {
        var rankers = new (string Name, string Description, Func<FeedMemberDay, double[], double[], string[], double[]> Rank)[]
        {
            ("model", "the run's best weights, ranking by Σ weight·p(action) as the server does", (_, model, _, _) => model),
            ("popularity", "each post's engagement rate before the day, the same for every member", (day, _, _, _) => Values(FeedReferences.PopularityScores(run.Log, day))),
            ("merit-order", "the true merit itself: on target for every group by construction", (_, _, merit, _) => merit),
            ("random", "a seeded random order: what a ranker blind to merit gives each group", (day, model, _, _) => CreatorExposure.RandomOrder(seed, day.Day, day.MemberId, model.Length)),
            ("injected-first", "", (_, model, _, genders) => CreatorExposure.Boost(model, genders, double.PositiveInfinity)),
            ("injected-mild", "", (_, model, _, genders) => CreatorExposure.Boost(model, genders, CreatorExposure.MildBoost)),
        };
        var injected = CreatorExposure.Injected("model").ToDictionary(i => i.Name, i => i.Description);
        var exposure = new CreatorExposure(run.Log.Posts, audit, rankers.Select(r => (r.Name, injected.GetValueOrDefault(r.Name, r.Description))), attention);
        for (var d = 0; d < days.Count; d++)
        {
            var day = days[d];
            var model = Values(scores[d]);
            var merit = Values(FeedReferences.OracleScores(run.Truth!, day), positiveOnly: true);
            var groups = exposure.GroupsOf([.. day.Candidates.Select(c => c.Id)], day.Day);
            for (var r = 0; r < rankers.Length; r++)
            {
                exposure.Add(r, rankers[r].Rank(day, model, merit, CreatorExposure.Genders(groups)), merit, groups);
            }
        }
        return exposure.Results(thresholds, seed);
    }
}
