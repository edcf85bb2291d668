// The late-fused features of an impression, each from before the impression's day only: the post's counts as
// of that day (how much it was shown, its click, like, comment and share rates), the member's activity, the
// member's history with the post's author, the post's age and the slot in the session. The same code builds
// training targets and serving candidates, so the two cannot disagree.
using Lodestar.Data.Schema;
using Lodestar.Features.Retrieval;
using Lodestar.Models.FeedRanking;
using Lodestar.Text.Prompts;

namespace Lodestar.Features.FeedRanking;

/// <summary>A feed request as the ranker reads it: the history (its last MaxHistory of HistoryCount impressions), the candidates and their features (K·F).</summary>
public sealed record FeedRequest(FeedEvent[] History, int HistoryCount, RankedPost[] Candidates, float[] Features);

public sealed class FeedRankingFeatures
{
    private readonly FeedLog _log;
    private readonly Dictionary<long, RankedPost> _posts;

    public FeedRankingFeatures(FeedLog log)
    {
        _log = log;
        _posts = log.Posts.ToDictionary(p => p.Key, p => Ranked(p.Value));
    }

    /// <summary>Features per impression (F).</summary>
    public const int Count = 10;

    /// <summary>Feature names in column order.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "post-impressions", "post-click-rate", "post-like-rate", "post-comment-rate", "post-share-rate",
        "member-impressions", "member-author-engagements", "member-author-impressions", "post-age", "session-position",
    ];

    private const double SecondsPerDay = 86_400;

    /// <summary>A post as the ranker reads it; throws naming the id when the log does not hold it.</summary>
    public RankedPost Post(long postId) =>
        _posts.TryGetValue(postId, out var post) ? post : throw new KeyNotFoundException($"post {postId} is not in the feed log's posts");

    /// <summary>A post's ranker tokens: format, dominant topic, author (members positive, companies negative).</summary>
    public static RankedPost Ranked(Post post)
    {
        var topic = post.Topics.Count == 0 ? "" : post.Topics.MaxBy(t => t.Weight)!.Topic;
        var author = post.AuthorMemberId ?? -(post.AuthorCompanyId ?? 0);
        return new RankedPost(post.Id, (int)post.Format, topic, author);
    }

    /// <summary>
    /// Features (n·F) of a member's impressions in time order: the member's own counts advance a day at a time, so an
    /// impression sees only the days before its own.
    /// </summary>
    public float[] Of(long member, IReadOnlyList<FeedImpression> impressions)
    {
        var features = new float[impressions.Count * Count];
        var posts = new Post[impressions.Count];
        var authors = new long[impressions.Count];
        for (var i = 0; i < impressions.Count; i++)
        {
            var impression = impressions[i];
            if (impression.MemberId != member)
            {
                throw new ArgumentException($"impression {impression.Id} belongs to member {impression.MemberId}, not {member}");
            }
            posts[i] = _log.Posts.TryGetValue(impression.PostId, out var post) ? post
                : throw new KeyNotFoundException($"impression {impression.Id}: post {impression.PostId} is not in the feed log's posts");
            authors[i] = _posts[post.Id].Author;
        }
        var engagedAuthors = new Dictionary<long, int>();
        var shownAuthors = new Dictionary<long, int>();
        var memberImpressions = 0;
        var committed = 0;
        for (var i = 0; i < impressions.Count; i++)
        {
            var impression = impressions[i];
            // Earlier days' impressions enter the member's counts once this impression's day begins.
            for (; committed < i && impressions[committed].Day < impression.Day; committed++)
            {
                var earlierAuthor = authors[committed];
                shownAuthors[earlierAuthor] = shownAuthors.GetValueOrDefault(earlierAuthor) + 1;
                if (WorldSnapshot.IsPositive(impressions[committed]))
                {
                    engagedAuthors[earlierAuthor] = engagedAuthors.GetValueOrDefault(earlierAuthor) + 1;
                }
                memberImpressions++;
            }
            var (post, author) = (posts[i], authors[i]);
            Write(features.AsSpan(i * Count, Count), _log.CountsBefore(post.Id, impression.Day), memberImpressions,
                engagedAuthors.GetValueOrDefault(author), shownAuthors.GetValueOrDefault(author), impression.Time - post.Time, impression.Position);
        }
        return features;
    }

    /// <summary>
    /// A member's feed request at <paramref name="time"/> on <paramref name="day"/> as the ranker reads it, from the days
    /// before it only: the member's last <paramref name="maxHistory"/> impressions and each candidate post with its
    /// features, every candidate in the first slot (its place is what the scores decide), as the server scores one.
    /// Throws naming the post when a candidate is unknown or was created after the request.
    /// </summary>
    public FeedRequest Request(long member, int day, long time, IReadOnlyList<long> posts, int maxHistory)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxHistory, 1);
        var history = _log.ImpressionsBefore(member, day).ToList();
        var engaged = new Dictionary<long, int>();
        var shown = new Dictionary<long, int>();
        foreach (var impression in history)
        {
            var author = Post(impression.PostId).Author;
            shown[author] = shown.GetValueOrDefault(author) + 1;
            if (WorldSnapshot.IsPositive(impression))
            {
                engaged[author] = engaged.GetValueOrDefault(author) + 1;
            }
        }
        var candidates = new RankedPost[posts.Count];
        var features = new float[posts.Count * Count];
        for (var i = 0; i < posts.Count; i++)
        {
            candidates[i] = Post(posts[i]);
            var created = _log.Posts[posts[i]].Time;
            if (created > time)
            {
                throw new ArgumentException($"post {posts[i]} was created at {created}, after the request at {time} (day {day}): its features would come from the future");
            }
            var author = candidates[i].Author;
            Write(features.AsSpan(i * Count, Count), _log.CountsBefore(posts[i], day), history.Count, engaged.GetValueOrDefault(author), shown.GetValueOrDefault(author),
                time - created, position: 0);
        }
        var events = history.Skip(Math.Max(0, history.Count - maxHistory)).Select(i => new FeedEvent(Post(i.PostId), FeedRankingExamples.ActionSet(i))).ToArray();
        return new FeedRequest(events, history.Count, candidates, features);
    }

    /// <summary>
    /// One impression's features (F) from what was known when it was shown: the post's counts, the member's impressions,
    /// the member's engagements with and impressions of the post's author, the post's age in seconds and the slot in the
    /// session. Training and serving both fill rows here, so the scales cannot drift apart.
    /// </summary>
    public static void Write(Span<float> row, PostStats counts, int memberImpressions, int authorEngagements, int authorImpressions, long ageSeconds, int position)
    {
        var shown = counts.Impressions + 1.0;
        row[0] = (float)(Math.Log(shown) / 8);
        row[1] = (float)(counts.Clicks / shown);
        row[2] = (float)(counts.Likes / shown);
        row[3] = (float)(counts.Comments / shown);
        row[4] = (float)(counts.Shares / shown);
        row[5] = (float)(Math.Log(1.0 + memberImpressions) / 8);
        row[6] = (float)(Math.Log(1.0 + authorEngagements) / 4);
        row[7] = (float)(Math.Log(1.0 + authorImpressions) / 4);
        row[8] = (float)(Math.Clamp(ageSeconds / SecondsPerDay, 0, 30) / 30);
        row[9] = Math.Min(position, 20) / 20f;
    }
}
