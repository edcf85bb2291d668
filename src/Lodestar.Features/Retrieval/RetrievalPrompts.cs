// The two sides of feed retrieval as prompts on a given day, from the prompt library: a member (profile and
// the chronological list of engaged posts, or of every impression, before that day) and a post (format,
// author, topics, engagement counts from impressions before that day as percentile tokens, or raw numbers
// for the ablation, and text). Percentiles are fitted on the training days only.
using Lodestar.Data.Schema;
using Lodestar.Text.Prompts;
using Lodestar.Text.Tokenization;

namespace Lodestar.Features.Retrieval;

/// <summary>How a post prompt writes its engagement counts.</summary>
public enum CountFormat
{
    /// <summary>Percentile-bucket tokens (`&lt;view_percentile&gt;71&lt;/view_percentile&gt;`): the built-in post template.</summary>
    Percentile,

    /// <summary>Raw numbers: the post_raw template, the ablation.</summary>
    Raw,
}

public sealed class RetrievalPrompts : TemplatePrompts
{
    public const string MemberTemplate = "history";

    private readonly WorldSnapshot _world;
    private readonly FeedLog _log;
    private readonly LibraryEntry _member;
    private readonly LibraryEntry _post;
    private readonly HistoryMode _history;

    /// <param name="fitBefore">Percentiles are fitted on the counts of posts created before this day, counted from
    /// impressions before it: the first validation day, so no validation or test engagement shapes a bucket.</param>
    /// <param name="memberTokens">When given, the member template's budget (the oldest history items are cut first).</param>
    /// <param name="postTokens">When given, the post template's budget.</param>
    public RetrievalPrompts(WorldSnapshot world, FeedLog log, PromptLibrary library, IPromptTokenizer tokenizer, int fitBefore, CountFormat counts, HistoryMode history,
        int? memberTokens = null, int? postTokens = null)
        : base(tokenizer)
    {
        _world = world;
        _log = log;
        _history = history;
        _member = WithBudget(library.Get(MemberTemplate), memberTokens);
        var post = WithBudget(library.Get(counts == CountFormat.Percentile ? "post" : "post_raw"), postTokens);
        var population = log.Posts.Values.Where(p => p.Day < fitBefore).OrderBy(p => p.Id)
            .Select(p => (IReadOnlyDictionary<string, PromptValue>)PromptSubjects.PostAttributes(world, p, log.CountsBefore(p.Id, fitBefore), fitBefore - 1))
            .ToList();
        var table = PercentileFitter.Fit(post.Template, prefix => prefix == "post." ? population : [], $"{log.Posts.Count} posts before day {fitBefore}",
            $"posts created before day {fitBefore}, counts from impressions before it");
        _post = post with { Percentiles = table };
        FitBefore = fitBefore;
    }

    /// <summary>The day before which the percentiles were fitted.</summary>
    public int FitBefore { get; }

    /// <summary>The percentile buckets the post prompts use (null for raw counts).</summary>
    public PercentileTable? Percentiles => _post.Percentiles;

    /// <summary>The member as of the start of <paramref name="day"/>: profile and history of impressions before it.</summary>
    public RenderedPrompt Member(long member, int day)
    {
        var history = _log.ImpressionsBefore(member, day)
            .Select(i => new HistoryItem(i.Id, i.Time, i.PostId, _log.Posts[i.PostId].Text, PromptSubjects.Actions(i), i.Skip))
            .ToList();
        return Member(_world.Member(member), history, day);
    }

    /// <summary>A member with the profile and history given (oldest first), rendered as of the start of <paramref name="day"/>:
    /// what a nearline pipeline renders from its own state.</summary>
    public RenderedPrompt Member(Member profile, IReadOnlyList<HistoryItem> history, int day)
    {
        var attributes = PromptSubjects.MemberAttributes(_world, profile);
        attributes["member.positive_engagements"] = PromptValue.OfNumber(history.Count(h => h.IsPositive));
        return RenderMember(_member, new PromptSubject($"member {profile.Id} on day {day}", attributes, history), day, _history);
    }

    /// <summary>The post as of the start of <paramref name="day"/>: counts from impressions before it, age in days then.</summary>
    public RenderedPrompt Post(long post, int day)
    {
        var record = _log.Posts.TryGetValue(post, out var found) ? found : throw new KeyNotFoundException($"post {post} is not in the feed log's {DataFiles.Posts}");
        return Post(record, _log.CountsBefore(post, day), day);
    }

    /// <summary>A post with the engagement counts given, rendered with its age as of <paramref name="day"/>.</summary>
    public RenderedPrompt Post(Post record, PostStats counts, int day)
    {
        var attributes = PromptSubjects.PostAttributes(_world, record, counts, day);
        return RenderItem(_post, new PromptSubject($"post {record.Id} on day {day}", attributes, []), day);
    }

    /// <summary>Token ids of the member's prompt on a day.</summary>
    public override int[] MemberTokens(long member, int day) => Encode(Member(member, day));

    /// <summary>Token ids of the post's prompt on a day.</summary>
    public int[] PostTokens(long post, int day) => Encode(Post(post, day));

    public override int[] ItemTokens(long item, int day) => PostTokens(item, day);

    /// <summary>Sequences padded to the longest: token ids (B·T), keep flags (B·T, 1 for a real token) and T.</summary>
    public static (int[] Tokens, byte[] Keep, int Length) Pack(IReadOnlyList<int[]> sequences)
    {
        var length = Math.Max(1, sequences.Count == 0 ? 1 : sequences.Max(s => s.Length));
        var tokens = new int[sequences.Count * length];
        var keep = new byte[tokens.Length];
        for (var i = 0; i < sequences.Count; i++)
        {
            sequences[i].CopyTo(tokens, i * length);
            keep.AsSpan(i * length, sequences[i].Length).Fill(1);
        }
        return (tokens, keep, length);
    }
}
