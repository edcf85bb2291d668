// What the feed, member and post endpoints answer, as records serialised to snake_case JSON. Nothing here carries a
// protected attribute: the member profile is the public one the models read.
using System.Text.Json;

namespace Lodestar.Serving.Feed;

/// <summary>A member's feed: the clock it was ranked at, how many posts retrieval handed the ranker, the items in order.</summary>
public sealed record FeedAnswer(long MemberId, long Clock, int Retrieved, bool EmbeddedNow, IReadOnlyList<FeedItem> Items);

/// <param name="Score">The rank score Σ weight·p(action).</param>
/// <param name="Similarity">The cosine similarity of member and post embeddings that retrieved the post.</param>
/// <param name="RetrievalRank">The post's place (1-based) among the retrieved posts, before ranking.</param>
/// <param name="Probabilities">Each action's probability, by task name.</param>
/// <param name="Why">The reasons in words: the retrieval place and the actions that carry the score.</param>
public sealed record FeedItem(int Rank, long PostId, float Score, float Similarity, int RetrievalRank, IReadOnlyDictionary<string, float> Probabilities,
    PostView Post, IReadOnlyList<string> Why);

/// <summary>A post as answers show it; <c>HoursOld</c> is the time since it was posted on the service's clock.</summary>
public sealed record PostView(long Id, string Format, string Topic, long? AuthorMemberId, long? AuthorCompanyId, long Time, double HoursOld, string Text, CountsView Counts);

public sealed record CountsView(long Impressions, long Clicks, long Likes, long Comments, long Shares);

/// <summary>A member: the public profile, the impression and engagement totals, the newest impressions, the current prompt.</summary>
public sealed record MemberAnswer(long Id, JsonElement Profile, int Impressions, int Engagements, IReadOnlyList<HistoryView> History, PromptView? Prompt);

/// <summary>A page of members by id; <c>Next</c> is the cursor (the <c>after</c>) of the next page, null on the last.</summary>
public sealed record MemberList(IReadOnlyList<MemberSummary> Members, long? Next);

public sealed record MemberSummary(long Id, string Headline);

public sealed record HistoryView(long ImpressionId, long PostId, long Time, IReadOnlyList<string> Actions, string Topic);

/// <summary>A stored prompt: its version, the version its stored embedding was made from (0: none yet), its text.</summary>
public sealed record PromptView(int Version, int EmbeddingVersion, string Text);

/// <summary>A post with its counters, whether it is deleted and whether the index holds it now.</summary>
public sealed record PostAnswer(PostView Post, bool Deleted, bool Indexed, PromptView? Prompt);
