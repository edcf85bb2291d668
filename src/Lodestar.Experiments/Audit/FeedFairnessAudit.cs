// The fairness audit of a feed ranker run over its test member-days: how exposure falls on creator groups against
// the world's true merit (beside popularity, the merit order itself and two deliberately biased rankers that the
// thresholds must catch), whether the ranker's view of a member carries a protected attribute (a probe beside one on
// the member's professional signals, and beside a representation given a gender proxy on purpose), and whether
// changing every member's protected attributes changes any ranker input or score.
using Lodestar.Core;
using Lodestar.Core.Progress;
using Lodestar.Data.GroundTruth;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Evaluation.Fairness;
using Lodestar.Evaluation.FeedRanking;
using Lodestar.Features.FeedRanking;
using Lodestar.Models.FeedRanking;
using Lodestar.Training.FeedRanking;

namespace Lodestar.Experiments.Audit;

public static partial class FeedFairnessAudit
{
    /// <summary>The creator group the injected rankers favour: an audit-file group, which no model input holds.</summary>
    public const string BoostedGroup = "male";

    /// <summary>The mild injected boost: this share of the list's score range added to the boosted group's posts.</summary>
    public const double MildBoost = 0.2;

    /// <summary>Resamples of the member-days behind each group's interval.</summary>
    public const int Resamples = 200;

    /// <summary>A creator is new on a day when their first post in the world is fewer days before it than this.</summary>
    public const int NewCreatorDays = 7;

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
        return new FairnessReport(runDirectory, FeedRankerModel.Kind, run.Config.World, definitions, thresholds, days.Count, rankers, [], probes, invariance);
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
        var firstPostDay = new Dictionary<long, int>();
        foreach (var post in run.Log.Posts.Values)
        {
            var author = Author(post);
            if (author != 0 && (!firstPostDay.TryGetValue(author, out var first) || post.Day < first))
            {
                firstPostDay[author] = post.Day;
            }
        }
        var groupings = new (string Name, Func<Post, int, string> Group)[]
        {
            ("author-kind", (post, _) => post.AuthorMemberId is not null ? "member" : post.AuthorCompanyId is not null ? "company" : "none"),
            ("creator-tenure", (post, day) => Author(post) == 0 ? "none" : day - firstPostDay[Author(post)] < NewCreatorDays ? "new" : "established"),
            ("author-gender", (post, _) => post.AuthorMemberId is { } m ? audit.GetValueOrDefault(m)?.Gender ?? "unknown" : "company"),
            ("author-age", (post, _) => post.AuthorMemberId is { } m ? audit.GetValueOrDefault(m)?.AgeBand ?? "unknown" : "company"),
        };
        var rankers = new (string Name, string Description, Func<FeedMemberDay, double[], double[], string[], double[]> Rank)[]
        {
            ("model", "the run's best weights, ranking by Σ weight·p(action) as the server does", (_, model, _, _) => model),
            ("popularity", "each post's engagement rate before the day, the same for every member", (day, _, _, _) => Values(FeedReferences.PopularityScores(run.Log, day))),
            ("merit-order", "the true merit itself: on target for every group by construction", (_, _, merit, _) => merit),
            ("random", "a seeded random order: what a ranker blind to merit gives each group", (day, model, _, _) => RandomOrder(day, model.Length, seed)),
            ("injected-first", $"the model's order with every post by a {BoostedGroup} author moved above the rest: must be flagged", (_, model, _, genders) => Boost(model, genders, double.PositiveInfinity)),
            ("injected-mild", $"the model's score plus {MildBoost} of the list's score range for posts by {BoostedGroup} authors", (_, model, _, genders) => Boost(model, genders, MildBoost)),
        };
        var audits = rankers.Select(_ => groupings.Select(_ => new ExposureAudit(attention)).ToArray()).ToArray();
        for (var d = 0; d < days.Count; d++)
        {
            var day = days[d];
            var posts = day.Candidates.Select(c => run.Log.Posts[c.Id]).ToArray();
            var model = Values(scores[d]);
            var merit = Values(FeedReferences.OracleScores(run.Truth!, day), positiveOnly: true);
            var groups = groupings.Select(g => posts.Select(p => g.Group(p, day.Day)).ToArray()).ToArray();
            var genders = groups[2];
            for (var r = 0; r < rankers.Length; r++)
            {
                var ranked = rankers[r].Rank(day, model, merit, genders);
                for (var g = 0; g < groupings.Length; g++)
                {
                    audits[r][g].Add(ranked, merit, groups[g]);
                }
            }
        }
        var result = new List<RankerAudit>();
        for (var r = 0; r < rankers.Length; r++)
        {
            var summaries = new Dictionary<string, ExposureSummary>();
            var flags = new List<string>();
            for (var g = 0; g < groupings.Length; g++)
            {
                var summary = audits[r][g].Summary(Resamples, seed);
                summaries[groupings[g].Name] = summary;
                flags.AddRange(summary.Groups.Where(thresholds.ExposureFlagged).Select(x => FormattableString.Invariant($"{groupings[g].Name}: {x.Group} {x.TargetRatio:F2}")));
            }
            result.Add(new RankerAudit(rankers[r].Name, rankers[r].Description, summaries, flags));
        }
        return result;
    }

    /// <summary>Uniform scores drawn from a stream of (seed, member, day): the same order on every run.</summary>
    private static double[] RandomOrder(FeedMemberDay day, int count, ulong seed)
    {
        var random = SeededRandom.For(seed, (ulong)day.Day, day.MemberId);
        return [.. Enumerable.Range(0, count).Select(_ => random.NextDouble())];
    }

    /// <summary>The scores with the boosted group's raised by <paramref name="share"/> of the list's range (∞: above every other post).</summary>
    private static double[] Boost(double[] scores, string[] genders, double share)
    {
        var range = scores.Length == 0 ? 0 : scores.Max() - scores.Min();
        // A boost above every other post: the range plus one lifts the lowest boosted post over the highest other one.
        var lift = double.IsPositiveInfinity(share) ? range + 1 : share * range;
        return [.. scores.Select((s, i) => genders[i] == BoostedGroup ? s + lift : s)];
    }

    private static long Author(Post post) => post.AuthorMemberId ?? (post.AuthorCompanyId is { } c ? -c : 0);
}
