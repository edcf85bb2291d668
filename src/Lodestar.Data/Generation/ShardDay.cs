// What one shard of members did on one day, before ids are assigned: compact rows the serialiser turns
// into records once the day's prefix sums give every impression, job event and search its global id.
using Lodestar.Data.Schema;

namespace Lodestar.Data.Generation;

/// <summary>Action bits of an impression row.</summary>
[Flags]
internal enum Actions : byte
{
    None = 0,
    Click = 1,
    Skip = 2,
    LongDwell = 4,
    Like = 8,
    Comment = 16,
    Share = 32,
}

internal struct ImpressionRow
{
    public int Member;
    public int Post;
    public int SessionFirst;
    public int Position;
    public long Time;
    public Actions Actions;
    public float Dwell;
    public float PClick, PSkip, PLongDwell, PLike, PComment, PShare;
}

internal readonly record struct JobEventRow(int Member, int Job, JobAction Action, long Time);

internal sealed record RecruiterRow(int Recruiter, int Company, int Job, int[] Results, int[] Contacted, long Time);

internal sealed class ShardDay
{
    public List<ImpressionRow> Impressions { get; } = new(1024);

    public List<JobEventRow> JobEvents { get; } = [];

    public List<RecruiterRow> Searches { get; } = [];

    /// <summary>Distinct (member, job) pairs seen in this shard's job events, in first-seen order.</summary>
    public List<(int Member, int Job)> MatchPairs { get; } = [];

    public HashSet<long> SeenPairs { get; } = [];
}
