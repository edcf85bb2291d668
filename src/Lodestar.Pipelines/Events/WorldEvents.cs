// A world's history as the event stream the nearline pipelines would have received: every member joining, every
// profile edit, every post created and every impression, in time order (ties: joins, then edits, then posts, then
// impressions, each by id), so a replay meets a post's creation before anyone sees it.
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;

namespace Lodestar.Pipelines.Events;

public static class WorldEvents
{
    /// <summary>The events of the world in <paramref name="directory"/>, in delivery order. Members who joined before the
    /// world's first day join at its start. Profile edits come from profile_changes.jsonl when the world has one.</summary>
    public static IReadOnlyList<NearlineEvent> Read(string directory)
    {
        foreach (var file in new[] { DataFiles.Members, DataFiles.Posts, DataFiles.FeedImpressions })
        {
            if (!File.Exists(Path.Combine(directory, file)))
            {
                throw new FileNotFoundException($"{Path.Combine(directory, file)}: a replay needs it (write a world with `lodestar world generate`)");
            }
        }
        var startSeconds = ManifestFile.StartSeconds(directory);
        var events = new List<NearlineEvent>();
        foreach (var member in JsonlReader.Read(Path.Combine(directory, DataFiles.Members), DataJson.Compact.Member))
        {
            var day = Math.Max(0, member.JoinDay);
            events.Add(NearlineEvent.Joined(member, startSeconds + day * 86_400L, day));
        }
        if (File.Exists(Path.Combine(directory, DataFiles.ProfileChanges)))
        {
            events.AddRange(JsonlReader.Read(Path.Combine(directory, DataFiles.ProfileChanges), DataJson.Compact.ProfileChange).Select(NearlineEvent.Edited));
        }
        events.AddRange(JsonlReader.Read(Path.Combine(directory, DataFiles.Posts), DataJson.Compact.Post).Select(NearlineEvent.Created));
        events.AddRange(JsonlReader.Read(Path.Combine(directory, DataFiles.FeedImpressions), DataJson.Compact.FeedImpression).Select(NearlineEvent.Shown));
        events.Sort(static (a, b) =>
            a.Time != b.Time ? a.Time.CompareTo(b.Time)
            : a.Kind != b.Kind ? Order(a.Kind).CompareTo(Order(b.Kind))
            : string.CompareOrdinal(a.Id, b.Id));
        return events;
    }

    private static int Order(NearlineEventKind kind) => kind switch
    {
        NearlineEventKind.MemberJoined => 0,
        NearlineEventKind.ProfileChanged => 1,
        NearlineEventKind.PostCreated => 2,
        NearlineEventKind.PostDeleted => 4,
        _ => 3,
    };
}
