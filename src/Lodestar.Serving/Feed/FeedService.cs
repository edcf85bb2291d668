// A member's feed, as LinkedIn's feed serves it (arXiv 2510.14223, 2602.12354): the member's embedding from the
// nearline store, the K most similar fresh posts the member has not seen from the exact index, the feed ranker's six
// action probabilities for all K in one pass after the member's history, and the final order by the value of those
// actions. The features are built by the same code that built the ranker's training rows.
using System.Globalization;
using Lodestar.Features.FeedRanking;
using Lodestar.Features.Retrieval;
using Lodestar.Index;
using Lodestar.Models.FeedRanking;
using Lodestar.Pipelines.Store;
using Lodestar.Serving.Http;
using Lodestar.Text.Prompts;

namespace Lodestar.Serving.Feed;

public sealed class FeedService(ServingOptions options, INearlineReader reader, FlatIndex index, PostCatalog catalog, ServingClock clock)
{
    private const long SecondsPerDay = 86_400;

    /// <summary>
    /// The first <paramref name="limit"/> items of the member's feed, or null when the store holds no such member.
    /// Each stage's time is lapped on <paramref name="timer"/>.
    /// </summary>
    public FeedAnswer? Feed(ServingModels models, long memberId, int limit, StageTimer timer)
    {
        var (history, query) = reader.MemberView(memberId);
        var embeddedNow = false;
        if (query is null)
        {
            // A member the pipeline has not embedded yet (just joined) is embedded here from the stored prompt.
            if (reader.Prompt(EntityKind.Member, memberId) is not { } prompt)
            {
                return null;
            }
            query = new PromptEmbedder(models.Retrieval.Model, batchSize: 1).Embed([prompt.Tokens]);
            embeddedNow = true;
        }
        timer.Lap("member");

        var now = clock.Now;
        var filter = new SearchFilter
        {
            ExcludeIds = history.Select(h => h.Post).ToHashSet(),
            MinCreatedAt = options.FreshDays > 0 ? now - (options.FreshDays * SecondsPerDay) : null,
        };
        var hits = new SearchHit[options.Retrieve];
        var found = index.Search(query, options.Retrieve, hits, filter);
        timer.Lap("retrieve");

        var ids = new long[found];
        for (var i = 0; i < found; i++)
        {
            ids[i] = hits[i].Id;
        }
        var posts = catalog.GetMany(ids);
        var counts = reader.Counts(ids);
        var historyPosts = catalog.GetMany([.. history.Select(h => h.Post)]);
        var (engaged, shown) = AuthorCounts(history, historyPosts);
        var features = new float[found * FeedRankingFeatures.Count];
        for (var i = 0; i < found; i++)
        {
            // Every candidate is scored as if shown in the first slot: its place is what the scores decide.
            var author = posts[i].Ranked.Author;
            FeedRankingFeatures.Write(features.AsSpan(i * FeedRankingFeatures.Count, FeedRankingFeatures.Count), counts[i], history.Count,
                engaged.GetValueOrDefault(author), shown.GetValueOrDefault(author), now - posts[i].Post.Time, position: 0);
        }
        var maxHistory = models.Ranker.Config.MaxHistory;
        var events = Enumerable.Range(Math.Max(0, history.Count - maxHistory), Math.Min(history.Count, maxHistory))
            .Select(i => new FeedEvent(historyPosts[i].Ranked, history[i].Actions)).ToArray();
        timer.Lap("features");

        var probabilities = models.Ranker.Score(events, [.. posts.Select(p => p.Ranked)], features);
        timer.Lap("rank");

        var scores = new float[found];
        for (var i = 0; i < found; i++)
        {
            for (var t = 0; t < FeedTasks.Count; t++)
            {
                scores[i] += options.TaskWeights[t] * probabilities[(i * FeedTasks.Count) + t];
            }
        }
        // Higher score first; equal scores keep the retrieval order.
        var order = Enumerable.Range(0, found).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(limit).ToArray();
        var items = new FeedItem[order.Length];
        for (var r = 0; r < order.Length; r++)
        {
            var i = order[r];
            var taskProbabilities = probabilities.AsSpan(i * FeedTasks.Count, FeedTasks.Count);
            var byTask = new Dictionary<string, float>(FeedTasks.Count);
            for (var t = 0; t < FeedTasks.Count; t++)
            {
                byTask[FeedTasks.Names[t]] = taskProbabilities[t];
            }
            var author = posts[i].Ranked.Author;
            items[r] = new FeedItem(r + 1, ids[i], scores[i], hits[i].Score, i + 1, byTask, View(posts[i], counts[i], now),
                Why(i + 1, found, hits[i].Score, taskProbabilities.ToArray(), engaged.GetValueOrDefault(author), now - posts[i].Post.Time));
        }
        return new FeedAnswer(memberId, now, found, embeddedNow, items);
    }

    /// <summary>A post as answers show it, with its counters and its age on the service's clock.</summary>
    public static PostView View(CatalogPost post, PostStats counts, long now)
    {
        var p = post.Post;
        return new PostView(p.Id, p.Format.ToString().ToLowerInvariant(), post.Ranked.Topic, p.AuthorMemberId, p.AuthorCompanyId, p.Time,
            Math.Round((now - p.Time) / 3600.0, 1), p.Text, new CountsView(counts.Impressions, counts.Clicks, counts.Likes, counts.Comments, counts.Shares));
    }

    /// <summary>The member's engagements with and impressions of each author, over the whole history (posts[i] is history[i]'s post).</summary>
    private static (Dictionary<long, int> Engaged, Dictionary<long, int> Shown) AuthorCounts(IReadOnlyList<SeenImpression> history, CatalogPost[] posts)
    {
        var engaged = new Dictionary<long, int>();
        var shown = new Dictionary<long, int>();
        for (var i = 0; i < history.Count; i++)
        {
            var impression = history[i];
            var author = posts[i].Ranked.Author;
            shown[author] = shown.GetValueOrDefault(author) + 1;
            if (impression.Engaged)
            {
                engaged[author] = engaged.GetValueOrDefault(author) + 1;
            }
        }
        return (engaged, shown);
    }

    /// <summary>Why the item is in the feed, in words: where retrieval put it, the two actions that carry most of its
    /// score, the member's past engagement with the author, and a fresh post's age.</summary>
    private IReadOnlyList<string> Why(int retrievalRank, int retrieved, float similarity, float[] probabilities, int authorEngagements, long ageSeconds)
    {
        var reasons = new List<string> { string.Create(CultureInfo.InvariantCulture, $"retrieved #{retrievalRank} of {retrieved} by similarity {similarity:F2}") };
        var carriers = Enumerable.Range(0, FeedTasks.Count).Where(t => options.TaskWeights[t] > 0)
            .Select(t => (Task: t, Value: options.TaskWeights[t] * probabilities[t])).OrderByDescending(x => x.Value).Take(2);
        reasons.Add("predicted: " + string.Join(", ", carriers.Select(c => string.Create(CultureInfo.InvariantCulture, $"{FeedTasks.Names[c.Task]} {probabilities[c.Task] * 100:F0}%"))));
        if (authorEngagements > 0)
        {
            reasons.Add($"you engaged with this author {authorEngagements} time{(authorEngagements == 1 ? "" : "s")}");
        }
        if (ageSeconds < SecondsPerDay)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"posted {Math.Max(0, ageSeconds / 3600.0):F0} h ago"));
        }
        return reasons;
    }
}
