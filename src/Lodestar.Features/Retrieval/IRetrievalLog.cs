// What a retrieval model needs of an engagement log, whatever its items are (feed posts, jobs): the days it spans,
// the members with events, the items that exist by each day, each member's events in time order with whether each
// was an engagement, and the engagement counts the history buckets and the popularity reference read.
namespace Lodestar.Features.Retrieval;

/// <summary>What a retrieval model retrieves for a member: feed posts, or jobs (job candidates before the cross-encoder).</summary>
public enum RetrievalTarget
{
    Posts,
    Jobs,
}

/// <summary>A member's event with an item: the item shown on a day, engaged with or not.</summary>
public readonly record struct RetrievalEvent(int Day, long Item, bool Engaged);

public interface IRetrievalLog
{
    /// <summary>First and last day with an event.</summary>
    int FirstDay { get; }

    int LastDay { get; }

    /// <summary>Members with at least one event.</summary>
    IEnumerable<long> Members { get; }

    /// <summary>Items created on or before <paramref name="day"/>, by creation day then id: the candidates of that day.</summary>
    ReadOnlySpan<long> ItemsCreatedBy(int day);

    /// <summary>Every event of the member, oldest first.</summary>
    IEnumerable<RetrievalEvent> EventsOf(long member);

    /// <summary>The member's engagements before <paramref name="day"/>.</summary>
    int EngagementsBefore(long member, int day);

    /// <summary>Engagements with the item before <paramref name="day"/> (its popularity then).</summary>
    long ItemEngagementsBefore(long item, int day);
}

/// <summary>The two sides of a retrieval model as token ids on a day, and how often the token budgets cut them.</summary>
public interface IRetrievalPrompts
{
    int[] MemberTokens(long member, int day);

    int[] ItemTokens(long item, int day);

    /// <summary>Member and item prompts rendered since the last <see cref="ResetCounts"/>, and how many of each the budgets cut.</summary>
    (long Members, long MembersCut, long Items, long ItemsCut) PromptCounts { get; }

    void ResetCounts();
}
