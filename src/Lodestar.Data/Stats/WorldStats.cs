// `lodestar world stats`: counts, history-length and popularity distributions, and action rates of any
// Lodestar data directory (generated or imported), computed in one streaming pass per event file.
using Lodestar.Core;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;

namespace Lodestar.Data.Stats;

/// <summary>Summary of a distribution of non-negative counts. <c>TopPercentShare</c> is the share of the total
/// held by the top 1% of entities; <c>Gini</c> the Gini coefficient (0 equal, towards 1 concentrated).</summary>
public sealed record Distribution(long Entities, double Mean, long P50, long P90, long P99, long Max, double TopPercentShare, double Gini)
{
    public static Distribution Of(IEnumerable<long> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return new Distribution(0, 0, 0, 0, 0, 0, 0, 0);
        }
        double total = sorted.Sum();
        var topCount = Math.Max(1, sorted.Length / 100);
        double top = 0;
        for (var i = sorted.Length - topCount; i < sorted.Length; i++)
        {
            top += sorted[i];
        }
        // Gini = sum_i (2i - n - 1) x_i / (n * sum x) over ascending x, i = 1..n.
        double weighted = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            weighted += (2.0 * (i + 1) - sorted.Length - 1) * sorted[i];
        }
        return new Distribution(sorted.Length, total / sorted.Length, Statistics.NearestRank(sorted, 0.5), Statistics.NearestRank(sorted, 0.9), Statistics.NearestRank(sorted, 0.99), sorted[^1],
            total > 0 ? top / total : 0, total > 0 ? weighted / (sorted.Length * total) : 0);
    }
}

/// <summary>Statistics of one data directory. Rates are per impression (feed) or per view (jobs).
/// <c>MembersWithoutEvents</c> counts profiles with no impression, job event or interaction (cold start).</summary>
public sealed record WorldStatistics(
    string Source,
    IReadOnlyDictionary<string, long> Counts,
    Distribution? FeedHistoryLength,
    Distribution? PostPopularity,
    IReadOnlyDictionary<string, double>? FeedActionRates,
    IReadOnlyDictionary<string, double>? JobActionRates,
    Distribution? ItemHistoryLength,
    Distribution? ItemPopularity,
    long? MembersWithoutEvents);

public static class WorldStats
{
    public static WorldStatistics Compute(string directory)
    {
        var manifest = ManifestFile.Read(directory);
        Distribution? feedHistory = null, postPopularity = null, itemHistory = null, itemPopularity = null;
        Dictionary<string, double>? feedRates = null, jobRates = null;
        var active = new HashSet<long>();
        var impressionsPath = Path.Combine(directory, DataFiles.FeedImpressions);
        if (File.Exists(impressionsPath))
        {
            var perMember = new Dictionary<long, long>();
            var perPost = new Dictionary<long, long>();
            long n = 0, click = 0, skip = 0, dwell = 0, like = 0, comment = 0, share = 0;
            foreach (var i in JsonlReader.Read(impressionsPath, DataJson.Compact.FeedImpression))
            {
                n++;
                perMember[i.MemberId] = perMember.GetValueOrDefault(i.MemberId) + 1;
                perPost[i.PostId] = perPost.GetValueOrDefault(i.PostId) + 1;
                click += i.Click ? 1 : 0;
                skip += i.Skip ? 1 : 0;
                dwell += i.LongDwell ? 1 : 0;
                like += i.Like ? 1 : 0;
                comment += i.Comment ? 1 : 0;
                share += i.Share ? 1 : 0;
            }
            active.UnionWith(perMember.Keys);
            feedHistory = Distribution.Of(perMember.Values);
            postPopularity = Distribution.Of(perPost.Values);
            double total = Math.Max(1, n);
            feedRates = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["click"] = click / total, ["long_dwell"] = dwell / total, ["like"] = like / total,
                ["comment"] = comment / total, ["share"] = share / total, ["skip"] = skip / total,
            };
        }
        var jobEventsPath = Path.Combine(directory, DataFiles.JobEvents);
        if (File.Exists(jobEventsPath))
        {
            long views = 0, applies = 0, dismisses = 0;
            foreach (var e in JsonlReader.Read(jobEventsPath, DataJson.Compact.JobEvent))
            {
                active.Add(e.MemberId);
                views += e.Action == JobAction.View ? 1 : 0;
                applies += e.Action == JobAction.Apply ? 1 : 0;
                dismisses += e.Action == JobAction.Dismiss ? 1 : 0;
            }
            double total = Math.Max(1, views);
            jobRates = new Dictionary<string, double>(StringComparer.Ordinal) { ["apply_per_view"] = applies / total, ["dismiss_per_view"] = dismisses / total };
        }
        var interactionsPath = Path.Combine(directory, DataFiles.ItemInteractions);
        if (File.Exists(interactionsPath))
        {
            var perMember = new Dictionary<long, long>();
            var perItem = new Dictionary<long, long>();
            foreach (var x in JsonlReader.Read(interactionsPath, DataJson.Compact.ItemInteraction))
            {
                perMember[x.MemberId] = perMember.GetValueOrDefault(x.MemberId) + 1;
                perItem[x.ItemId] = perItem.GetValueOrDefault(x.ItemId) + 1;
            }
            active.UnionWith(perMember.Keys);
            itemHistory = Distribution.Of(perMember.Values);
            itemPopularity = Distribution.Of(perItem.Values);
        }
        long? withoutEvents = null;
        var membersPath = Path.Combine(directory, DataFiles.Members);
        if (File.Exists(membersPath))
        {
            withoutEvents = JsonlReader.Read(membersPath, DataJson.Compact.Member).LongCount(m => !active.Contains(m.Id));
        }
        return new WorldStatistics(manifest.Source, manifest.Counts, feedHistory, postPopularity, feedRates, jobRates, itemHistory, itemPopularity, withoutEvents);
    }
}
