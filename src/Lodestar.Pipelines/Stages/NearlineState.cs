// The prompt stage's view of the network, kept in memory for rendering and mirrored in the store in the same
// transaction as each event that changes it: member profiles, posts (and which are deleted), each post's counters,
// and each member's recent history items (those the encoder's history mode lists).
using Lodestar.Data.Schema;
using Lodestar.Pipelines.Events;
using Lodestar.Pipelines.Store;
using Lodestar.Text.Prompts;
using Microsoft.Data.Sqlite;
using System.Text.Json;

namespace Lodestar.Pipelines.Stages;

internal sealed class NearlineState
{
    /// <summary>History items kept in memory per member: more than any history template lists (max_items ≤ 50 today).</summary>
    public const int HistoryItemsKept = 128;

    private readonly HistoryMode _mode;

    private NearlineState(HistoryMode mode) => _mode = mode;

    public Dictionary<long, Member> Members { get; } = [];

    public Dictionary<long, Post> Posts { get; } = [];

    public HashSet<long> Deleted { get; } = [];

    public Dictionary<long, PostStats> Counts { get; } = [];

    public Dictionary<long, List<HistoryEntry>> History { get; } = [];

    /// <summary>Each entity's prompt version and a 64-bit hash of its text: all change detection needs, at a fixed 16 bytes
    /// an entity where the text would grow with the member's history.</summary>
    public Dictionary<EntityKey, (int Version, ulong TextHash)> Prompts { get; } = [];

    /// <summary>The hash <see cref="Prompts"/> keeps of a prompt's text.</summary>
    public static ulong HashOf(string text) => System.IO.Hashing.XxHash64.HashToUInt64(System.Runtime.InteropServices.MemoryMarshal.AsBytes(text.AsSpan()));

    public static NearlineState Load(SqliteConnection connection, HistoryMode mode) => Build(
        mode,
        Rows(connection, "SELECT body FROM members").Select(r => r.GetString(0)),
        Rows(connection, "SELECT body, deleted FROM posts").Select(r => (r.GetString(0), r.GetInt64(1) != 0)),
        Rows(connection, "SELECT id, impressions, clicks, likes, comments, shares, positives FROM post_counts")
            .Select(r => (r.GetInt64(0), new PostStats(r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6)))),
        Rows(connection, "SELECT member, impression, time, post, actions FROM history ORDER BY member, time, impression")
            .Select(r => new HistoryEntry(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), (int)r.GetInt64(4))),
        Rows(connection, "SELECT kind, id, version, text FROM prompts")
            .Select(r => (new EntityKey((EntityKind)r.GetInt64(0), r.GetInt64(1)), (int)r.GetInt64(2), r.GetString(3))));

    /// <summary>The state from its stored records: member and post JSON, counters, history entries (each member's oldest
    /// first), and each entity's prompt version and text.</summary>
    public static NearlineState Build(HistoryMode mode, IEnumerable<string> members, IEnumerable<(string Json, bool Deleted)> posts,
        IEnumerable<(long Post, PostStats Counts)> counts, IEnumerable<HistoryEntry> history, IEnumerable<(EntityKey Key, int Version, string Text)> prompts)
    {
        var state = new NearlineState(mode);
        foreach (var json in members)
        {
            var member = JsonSerializer.Deserialize(json, DataJson.Compact.Member)!;
            state.Members[member.Id] = member;
        }
        foreach (var (json, deleted) in posts)
        {
            var post = JsonSerializer.Deserialize(json, DataJson.Compact.Post)!;
            state.Posts[post.Id] = post;
            if (deleted)
            {
                state.Deleted.Add(post.Id);
            }
        }
        foreach (var (post, stats) in counts)
        {
            state.Counts[post] = stats;
        }
        foreach (var entry in history)
        {
            state.Remember(entry);
        }
        foreach (var (key, version, text) in prompts)
        {
            state.Prompts[key] = (version, HashOf(text));
        }
        return state;
    }

    /// <summary>Why the event cannot be applied to this state, or null when it can.</summary>
    public string? Check(NearlineEvent evt) => evt.Kind switch
    {
        NearlineEventKind.MemberJoined when evt.Member!.Id <= 0 => $"event {evt.Id}: member id {evt.Member.Id} is not a positive id",
        NearlineEventKind.ProfileChanged when !Members.ContainsKey(evt.Member!.Id) => $"event {evt.Id}: member {evt.Member.Id} does not exist (no member_joined before it)",
        NearlineEventKind.PostCreated when evt.Post!.Id <= 0 => $"event {evt.Id}: post id {evt.Post.Id} is not a positive id",
        NearlineEventKind.PostCreated when Posts.ContainsKey(evt.Post!.Id) && evt.Id != $"post:{evt.Post.Id}" =>
            $"event {evt.Id}: post {evt.Post.Id} already exists",
        NearlineEventKind.PostDeleted when !Posts.ContainsKey(evt.PostId!.Value) => $"event {evt.Id}: post {evt.PostId} does not exist",
        NearlineEventKind.Impression when !Members.ContainsKey(evt.Impression!.MemberId) => $"event {evt.Id}: member {evt.Impression.MemberId} does not exist",
        NearlineEventKind.Impression when !Posts.ContainsKey(evt.Impression!.PostId) => $"event {evt.Id}: post {evt.Impression.PostId} does not exist",
        NearlineEventKind.Impression when Deleted.Contains(evt.Impression!.PostId) => $"event {evt.Id}: post {evt.Impression.PostId} was deleted",
        _ => null,
    };

    /// <summary>Applies a checked event here and through <paramref name="writes"/>; returns the entities whose prompts may have changed.</summary>
    public IEnumerable<(EntityKey Key, bool IsNew)> Apply(NearlineEvent evt, IPromptSink writes)
    {
        switch (evt.Kind)
        {
            case NearlineEventKind.MemberJoined or NearlineEventKind.ProfileChanged:
                var isNew = !Members.ContainsKey(evt.Member!.Id);
                Members[evt.Member.Id] = evt.Member;
                writes.Member(evt.Member);
                return [(new EntityKey(EntityKind.Member, evt.Member.Id), isNew)];
            case NearlineEventKind.PostCreated:
                var fresh = !Posts.ContainsKey(evt.Post!.Id);
                Posts[evt.Post.Id] = evt.Post;
                writes.Post(evt.Post, deleted: false);
                return [(new EntityKey(EntityKind.Post, evt.Post.Id), fresh)];
            case NearlineEventKind.PostDeleted:
                var post = evt.PostId!.Value;
                Deleted.Add(post);
                writes.Post(Posts[post], deleted: true);
                writes.RemovePost(post);
                Prompts.Remove(new EntityKey(EntityKind.Post, post));
                return [];
            default:
                var impression = evt.Impression!;
                var counts = (Counts.GetValueOrDefault(impression.PostId) ?? PostStats.None).With(impression);
                Counts[impression.PostId] = counts;
                writes.Counts(impression.PostId, counts);
                var entry = new HistoryEntry(impression.MemberId, impression.Id, impression.Time, impression.PostId, HistoryActions.Of(impression));
                var listed = Remember(entry);
                writes.History(entry, listed);
                var shown = new EntityKey(EntityKind.Post, impression.PostId);
                return listed ? [(shown, false), (new EntityKey(EntityKind.Member, impression.MemberId), false)] : [(shown, false)];
        }
    }

    /// <summary>Keeps the entry when the history mode lists it; true when it was kept.</summary>
    private bool Remember(HistoryEntry entry)
    {
        if (_mode == HistoryMode.Positives && !HistoryActions.IsPositive(entry.Actions))
        {
            return false;
        }
        if (!History.TryGetValue(entry.Member, out var list))
        {
            History[entry.Member] = list = [];
        }
        list.Add(entry);
        if (list.Count > HistoryItemsKept)
        {
            list.RemoveRange(0, list.Count - HistoryItemsKept);
        }
        return true;
    }

    private static IEnumerable<SqliteDataReader> Rows(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return reader;
        }
    }
}

/// <summary>One impression in a member's history; <c>Actions</c> holds <see cref="HistoryActions"/> flags.</summary>
internal sealed record HistoryEntry(long Member, long Impression, long Time, long Post, int Actions);

/// <summary>An impression's actions as bit flags, and back to the action tokens a history prompt shows.</summary>
internal static class HistoryActions
{
    private const int Click = 1, LongDwell = 2, Like = 4, Comment = 8, Share = 16, Skip = 32;

    private static readonly string[][] s_names = [.. Enumerable.Range(0, 32).Select(NamesOf)];

    public static int Of(FeedImpression i) =>
        (i.Click ? Click : 0) | (i.LongDwell ? LongDwell : 0) | (i.Like ? Like : 0) | (i.Comment ? Comment : 0) | (i.Share ? Share : 0) | (i.Skip ? Skip : 0);

    public static bool IsPositive(int actions) => (actions & (Click | LongDwell | Like | Comment | Share)) != 0;

    /// <summary>The same actions as a <see cref="Models.FeedRanking.FeedTasks"/> action set, the ranker's bit order.</summary>
    public static int ToFeedTasks(int actions) => Models.FeedRanking.FeedTasks.ActionSet((actions & Click) != 0, (actions & Skip) != 0,
        (actions & LongDwell) != 0, (actions & Like) != 0, (actions & Comment) != 0, (actions & Share) != 0);

    public static bool Skipped(int actions) => (actions & Skip) != 0;

    /// <summary>The action tokens in <see cref="PromptSubjects.Actions"/>'s order.</summary>
    public static IReadOnlyList<string> Names(int actions) => s_names[actions & 31];

    private static string[] NamesOf(int actions)
    {
        var names = new List<string>(5);
        if ((actions & Click) != 0) { names.Add("<click>"); }
        if ((actions & LongDwell) != 0) { names.Add("<long_dwell>"); }
        if ((actions & Like) != 0) { names.Add("<like>"); }
        if ((actions & Comment) != 0) { names.Add("<comment>"); }
        if ((actions & Share) != 0) { names.Add("<share>"); }
        return [.. names];
    }
}
