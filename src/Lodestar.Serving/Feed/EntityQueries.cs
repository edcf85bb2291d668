// A member or a post as the explorer and API clients look them up: the stored record, its counters and history,
// its current prompt and whether its embedding is current, and (for a post) whether the index holds it now.
using System.Text.Json;
using Lodestar.Data.Schema;
using Lodestar.Index;
using Lodestar.Models.FeedRanking;
using Lodestar.Pipelines.Store;

namespace Lodestar.Serving.Feed;

public sealed class EntityQueries(ServingOptions options, INearlineReader reader, FlatIndex index, PostCatalog catalog, ServingClock clock)
{
    /// <summary>The member, or null when the store holds no such member.</summary>
    public MemberAnswer? Member(long id)
    {
        if (reader.Member(id) is not { } member)
        {
            return null;
        }
        var history = reader.History(id);
        var newest = history.Reverse().Take(options.HistoryListed)
            .Select(h => new HistoryView(h.Impression, h.Post, h.Time, ActionNames(h.Actions), catalog.Get(h.Post).Ranked.Topic)).ToList();
        return new MemberAnswer(id, JsonSerializer.SerializeToElement(member, DataJson.Compact.Member), history.Count,
            history.Count(h => h.Engaged), newest, Prompt(EntityKind.Member, id));
    }

    /// <summary>Members after the cursor <paramref name="after"/>, <paramref name="limit"/> at most.</summary>
    public MemberList Members(long after, int limit)
    {
        var page = reader.Members(after, limit);
        return new MemberList([.. page.Select(m => new MemberSummary(m.Id, m.Headline))], page.Count == limit ? page[^1].Id : null);
    }

    /// <summary>The post, or null when the store never held it.</summary>
    public PostAnswer? Post(long id)
    {
        if (reader.Post(id) is not { } stored)
        {
            return null;
        }
        return new PostAnswer(FeedService.View(catalog.Remember(stored.Post), reader.Counts(id), clock.Now), stored.Deleted, index.Contains(id), Prompt(EntityKind.Post, id));
    }

    private PromptView? Prompt(EntityKind kind, long id) =>
        reader.Prompt(kind, id) is { } prompt ? new PromptView(prompt.Version, prompt.EmbeddingVersion, prompt.Text) : null;

    private static string[] ActionNames(int actions) => [.. Enumerable.Range(0, FeedTasks.Count).Where(t => FeedTasks.Has(actions, t)).Select(t => FeedTasks.Names[t])];
}
