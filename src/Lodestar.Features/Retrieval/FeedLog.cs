// A world's feed log indexed for retrieval, so nothing from the future reaches a prompt: every member's
// impressions in time order (their engaged posts before a day are their history then), and every post's
// impressions and engagements by day, from which its counts as of any day are prefix sums.
using Lodestar.Core;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Text.Prompts;

namespace Lodestar.Features.Retrieval;

public sealed class FeedLog : IRetrievalLog
{
    private static readonly FeedImpression[] s_none = [];
    private readonly Dictionary<long, FeedImpression[]> _byMember;
    private readonly Dictionary<long, PostCounts> _counts;
    private readonly ItemsByDay _postsByDay;

    private FeedLog(IReadOnlyDictionary<long, Post> posts, Dictionary<long, FeedImpression[]> byMember, Dictionary<long, PostCounts> counts)
    {
        Posts = posts;
        _byMember = byMember;
        _counts = counts;
        _postsByDay = new ItemsByDay(posts.Values.Select(p => (p.Id, p.Day)));
        (FirstDay, LastDay) = ItemsByDay.Span(byMember.Values.SelectMany(i => i).Select(i => i.Day));
        Impressions = byMember.Values.Sum(i => (long)i.Length);
    }

    public IReadOnlyDictionary<long, Post> Posts { get; }

    /// <summary>Members with at least one impression.</summary>
    public IEnumerable<long> Members => _byMember.Keys;

    /// <summary>First and last day with an impression.</summary>
    public int FirstDay { get; }

    public int LastDay { get; }

    public long Impressions { get; }

    /// <summary>Reads posts.jsonl and feed_impressions.jsonl of a world (or any data directory in the same schema).</summary>
    public static FeedLog Load(string directory)
    {
        ManifestFile.Read(directory);
        foreach (var file in new[] { DataFiles.Posts, DataFiles.FeedImpressions })
        {
            if (!File.Exists(Path.Combine(directory, file)))
            {
                throw new FileNotFoundException($"{Path.Combine(directory, file)}: the feed log needs it (write a world with `lodestar world generate`)");
            }
        }
        return From(
            JsonlReader.Read(Path.Combine(directory, DataFiles.Posts), DataJson.Compact.Post),
            JsonlReader.Read(Path.Combine(directory, DataFiles.FeedImpressions), DataJson.Compact.FeedImpression),
            Path.Combine(directory, DataFiles.FeedImpressions));
    }

    /// <summary>Indexes posts and impressions; an impression of a post not among them is an error naming it.</summary>
    public static FeedLog From(IEnumerable<Post> posts, IEnumerable<FeedImpression> impressions, string origin = "feed log")
    {
        var postsById = new Dictionary<long, Post>();
        foreach (var post in posts)
        {
            postsById[post.Id] = post;
        }
        var byMember = new Dictionary<long, List<FeedImpression>>();
        var byPost = new Dictionary<long, List<FeedImpression>>();
        foreach (var impression in impressions)
        {
            if (!postsById.ContainsKey(impression.PostId))
            {
                throw new InvalidDataException($"{origin}: impression {impression.Id} shows post {impression.PostId}, which is not among the posts");
            }
            Add(byMember, impression.MemberId, impression);
            Add(byPost, impression.PostId, impression);
        }
        return new FeedLog(
            postsById,
            byMember.ToDictionary(p => p.Key, p => p.Value.OrderBy(i => i.Time).ThenBy(i => i.Id).ToArray()),
            byPost.ToDictionary(p => p.Key, p => PostCounts.Of(p.Value)));
    }

    /// <summary>Every impression of the member, oldest first.</summary>
    public IReadOnlyList<FeedImpression> ImpressionsOf(long member) => _byMember.GetValueOrDefault(member) ?? s_none;

    /// <summary>The member's impressions before <paramref name="day"/> (oldest first): what a prompt on that day may show.</summary>
    public IEnumerable<FeedImpression> ImpressionsBefore(long member, int day) => ImpressionsOf(member).TakeWhile(i => i.Day < day);

    /// <summary>The member's engaged impressions before <paramref name="day"/>, oldest first (the positives-only history).</summary>
    public IEnumerable<FeedImpression> PositivesBefore(long member, int day) => ImpressionsBefore(member, day).Where(WorldSnapshot.IsPositive);

    /// <summary>The post's counts from impressions before <paramref name="day"/> only.</summary>
    public PostStats CountsBefore(long post, int day) =>
        _counts.TryGetValue(post, out var counts) ? counts.Before(day) : PostStats.None;

    /// <summary>Posts created on or before <paramref name="day"/>, by creation day then id.</summary>
    public ReadOnlySpan<long> PostsCreatedBy(int day) => _postsByDay.CreatedBy(day);

    ReadOnlySpan<long> IRetrievalLog.ItemsCreatedBy(int day) => PostsCreatedBy(day);

    IEnumerable<RetrievalEvent> IRetrievalLog.EventsOf(long member) =>
        ImpressionsOf(member).Select(i => new RetrievalEvent(i.Day, i.PostId, WorldSnapshot.IsPositive(i)));

    int IRetrievalLog.EngagementsBefore(long member, int day) => PositivesBefore(member, day).Count();

    long IRetrievalLog.ItemEngagementsBefore(long item, int day) => CountsBefore(item, day).Positives;

    private static void Add(Dictionary<long, List<FeedImpression>> index, long key, FeedImpression impression)
    {
        if (!index.TryGetValue(key, out var list))
        {
            index[key] = list = [];
        }
        list.Add(impression);
    }

    /// <summary>A post's impressions by day with running totals: entry i counts every impression of days[0..i].</summary>
    private sealed record PostCounts(int[] Days, PostStats[] Running)
    {
        public static PostCounts Of(List<FeedImpression> impressions)
        {
            var sorted = impressions.OrderBy(i => i.Day).ToArray();
            var running = new PostStats[sorted.Length];
            var total = PostStats.None;
            for (var i = 0; i < sorted.Length; i++)
            {
                total = total.With(sorted[i]);
                running[i] = total;
            }
            return new PostCounts([.. sorted.Select(i => i.Day)], running);
        }

        public PostStats Before(int day)
        {
            var count = SortedSearch.LowerBound(Days, day);
            return count == 0 ? PostStats.None : Running[count - 1];
        }
    }
}
