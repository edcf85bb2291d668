// The popularity feedback loop of a generated world's logged feed: day by day, how unevenly impressions fall on the
// live posts, against how unevenly they would fall if each post were picked for its merit alone (quality, fading with
// age as the world's pool does), and how much of the day the posts richest in earlier engagement take against their
// share of that merit allocation. A rich-get-richer process shows as impressions more concentrated than merit, a gap
// that widens as engagement piles up over the days.
using Lodestar.Data.GroundTruth;
using Lodestar.Evaluation.Fairness;
using Lodestar.Features.Retrieval;

namespace Lodestar.Experiments.Audit;

/// <summary>
/// One day: live posts and impressions; the Gini coefficient of impressions and of the merit allocation over the live
/// posts; the share of impressions and of merit allocation held by the tenth of live posts with most positives before
/// the day (ties by lower id).
/// </summary>
public sealed record FeedbackDay(int Day, int LivePosts, long Impressions, double ImpressionGini, double MeritGini, double RichShare, double RichMeritShare);

/// <summary>The days, the mean excess of impression Gini over merit Gini, and the least-squares slope of that excess per day.</summary>
public sealed record FeedbackLoop(string Merit, IReadOnlyList<FeedbackDay> Days, double MeanExcessGini, double ExcessGiniPerDay);

public static class FeedbackLoops
{
    /// <summary>The share of live posts counted as rich on a day.</summary>
    public const double RichShare = 0.1;

    public static FeedbackLoop Measure(FeedLog log, FeedRelevance relevance)
    {
        var days = new List<FeedbackDay>();
        for (var day = Math.Max(log.FirstDay, 0); day <= log.LastDay; day++)
        {
            var live = log.PostsCreatedBy(day).ToArray().Where(p => relevance.IsLive(log.Posts[p], day)).ToArray();
            if (live.Length < 10)
            {
                continue;
            }
            var shown = live.Select(p => (double)(log.CountsBefore(p, day + 1).Impressions - log.CountsBefore(p, day).Impressions)).ToArray();
            var total = shown.Sum();
            if (total == 0)
            {
                continue;
            }
            var merit = live.Select(p => relevance.Quality(p) * Math.Pow(0.5, (day - log.Posts[p].Day - 0.5) / relevance.RecencyHalfLifeDays)).ToArray();
            var meritTotal = merit.Sum();
            var rich = Enumerable.Range(0, live.Length).OrderByDescending(i => log.CountsBefore(live[i], day).Positives).ThenBy(i => live[i])
                .Take(Math.Max(1, (int)Math.Round(live.Length * RichShare))).ToArray();
            days.Add(new FeedbackDay(day, live.Length, (long)total, Concentration.Gini(shown), Concentration.Gini(merit),
                rich.Sum(i => shown[i]) / total, rich.Sum(i => merit[i]) / meritTotal));
        }
        var excess = days.Select(d => (X: (double)d.Day, Y: d.ImpressionGini - d.MeritGini)).ToList();
        var slope = double.NaN;
        if (excess.Count >= 2)
        {
            var (mx, my) = (excess.Average(e => e.X), excess.Average(e => e.Y));
            slope = excess.Sum(e => (e.X - mx) * (e.Y - my)) / excess.Sum(e => (e.X - mx) * (e.X - mx));
        }
        return new FeedbackLoop($"each live post's quality × 0.5^(age / {relevance.RecencyHalfLifeDays} days), the world's pool without its popularity term",
            days, excess.Count == 0 ? double.NaN : excess.Average(e => e.Y), slope);
    }
}
