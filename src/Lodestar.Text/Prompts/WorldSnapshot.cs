// A world directory (as `lodestar world generate` writes it) read for prompting: entities by id, per-post
// and per-job engagement counts streamed from the event logs, and the impressions of the members whose
// history is wanted (only those, so memory stays bounded on large logs).
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;

namespace Lodestar.Text.Prompts;

/// <summary>Engagement counts of one post over the whole impression log.</summary>
public sealed record PostStats(long Impressions, long Clicks, long Likes, long Comments, long Shares, long Positives)
{
    public static readonly PostStats None = new(0, 0, 0, 0, 0, 0);

    /// <summary>These counts with one more impression.</summary>
    public PostStats With(FeedImpression impression) => new(
        Impressions + 1,
        Clicks + (impression.Click ? 1 : 0),
        Likes + (impression.Like ? 1 : 0),
        Comments + (impression.Comment ? 1 : 0),
        Shares + (impression.Share ? 1 : 0),
        Positives + (WorldSnapshot.IsPositive(impression) ? 1 : 0));
}

/// <summary>Views and applications of one job.</summary>
public sealed record JobStats(long Views, long Applies);

public sealed class WorldSnapshot
{
    private WorldSnapshot(string directory) => Directory = directory;

    public string Directory { get; }

    public Dictionary<long, Member> Members { get; } = [];

    public Dictionary<long, Company> Companies { get; } = [];

    public Dictionary<long, Job> Jobs { get; } = [];

    public Dictionary<long, Post> Posts { get; } = [];

    public Dictionary<int, Occupation> Occupations { get; } = [];

    public Dictionary<long, PostStats> PostStats { get; } = [];

    public Dictionary<long, JobStats> JobStats { get; } = [];

    /// <summary>Positive engagements per member (clicks, long dwells, likes, comments, shares).</summary>
    public Dictionary<long, long> MemberPositives { get; } = [];

    /// <summary>Impressions of the members asked for at load, in file order.</summary>
    public Dictionary<long, List<FeedImpression>> Impressions { get; } = [];

    /// <summary>The latest day seen in the data: "now" for recency.</summary>
    public int LastDay { get; private set; }

    /// <summary>Reads <paramref name="directory"/>; missing entity files leave their collection empty.</summary>
    /// <param name="historyMembers">Members whose impressions are kept for history prompts.</param>
    public static WorldSnapshot Load(string directory, IReadOnlySet<long>? historyMembers = null)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"{directory}: world directory not found (write one with `lodestar world generate`)");
        }
        // Only a complete world is read: the manifest is written last, and its schema version must be this build's.
        ManifestFile.Read(directory);
        var world = new WorldSnapshot(directory);
        foreach (var member in ReadIfPresent(directory, DataFiles.Members, DataJson.Compact.Member))
        {
            world.Members[member.Id] = member;
        }
        foreach (var company in ReadIfPresent(directory, DataFiles.Companies, DataJson.Compact.Company))
        {
            world.Companies[company.Id] = company;
        }
        foreach (var job in ReadIfPresent(directory, DataFiles.Jobs, DataJson.Compact.Job))
        {
            world.Jobs[job.Id] = job;
            world.LastDay = Math.Max(world.LastDay, job.PostedDay);
        }
        foreach (var post in ReadIfPresent(directory, DataFiles.Posts, DataJson.Compact.Post))
        {
            world.Posts[post.Id] = post;
            world.LastDay = Math.Max(world.LastDay, post.Day);
        }
        foreach (var occupation in ReadIfPresent(directory, DataFiles.Occupations, DataJson.Compact.Occupation))
        {
            world.Occupations[occupation.Id] = occupation;
        }
        foreach (var impression in ReadIfPresent(directory, DataFiles.FeedImpressions, DataJson.Compact.FeedImpression))
        {
            world.Count(impression, historyMembers);
        }
        foreach (var jobEvent in ReadIfPresent(directory, DataFiles.JobEvents, DataJson.Compact.JobEvent))
        {
            var stats = world.JobStats.GetValueOrDefault(jobEvent.JobId) ?? new JobStats(0, 0);
            world.JobStats[jobEvent.JobId] = jobEvent.Action switch
            {
                JobAction.View => stats with { Views = stats.Views + 1 },
                JobAction.Apply => stats with { Applies = stats.Applies + 1 },
                _ => stats,
            };
            world.LastDay = Math.Max(world.LastDay, jobEvent.Day);
        }
        return world;
    }

    /// <summary>True when the member engaged with the post beyond seeing it.</summary>
    public static bool IsPositive(FeedImpression impression) =>
        impression.Click || impression.LongDwell || impression.Like || impression.Comment || impression.Share;

    public Member Member(long id) => Members.TryGetValue(id, out var member) ? member : throw NotFound("member", id, DataFiles.Members);

    public Job Job(long id) => Jobs.TryGetValue(id, out var job) ? job : throw NotFound("job", id, DataFiles.Jobs);

    public Post Post(long id) => Posts.TryGetValue(id, out var post) ? post : throw NotFound("post", id, DataFiles.Posts);

    private void Count(FeedImpression impression, IReadOnlySet<long>? historyMembers)
    {
        var positive = IsPositive(impression);
        PostStats[impression.PostId] = (PostStats.GetValueOrDefault(impression.PostId) ?? Prompts.PostStats.None).With(impression);
        if (positive)
        {
            MemberPositives[impression.MemberId] = MemberPositives.GetValueOrDefault(impression.MemberId) + 1;
        }
        if (historyMembers is not null && historyMembers.Contains(impression.MemberId))
        {
            if (!Impressions.TryGetValue(impression.MemberId, out var list))
            {
                list = [];
                Impressions[impression.MemberId] = list;
            }
            list.Add(impression);
        }
        LastDay = Math.Max(LastDay, impression.Day);
    }

    private KeyNotFoundException NotFound(string what, long id, string file) =>
        new($"{what} {id} is not in {Path.Combine(Directory, file)}");

    private static IEnumerable<T> ReadIfPresent<T>(string directory, string file, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var path = Path.Combine(directory, file);
        return File.Exists(path) ? JsonlReader.Read(path, type) : [];
    }
}
