// What happens on the network, as the nearline pipelines receive it: a member joins or edits their profile, a post
// is created or deleted, a member sees a post and acts on it. One JSON object a line, in the world's schema:
// {"id":"impression:17","kind":"impression","time":1767600000,"day":0,"impression":{...}}.
using System.Text.Json;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;

namespace Lodestar.Pipelines.Events;

public enum NearlineEventKind
{
    MemberJoined,
    ProfileChanged,
    PostCreated,
    PostDeleted,
    Impression,
}

/// <summary>One event. <c>Id</c> is unique per event (a redelivery carries the same id); <c>Time</c> is Unix seconds
/// and <c>Day</c> the world's day of it. Exactly one payload is set, the one its kind names.</summary>
public sealed record NearlineEvent(string Id, NearlineEventKind Kind, long Time, int Day,
    Member? Member = null, Post? Post = null, FeedImpression? Impression = null, long? PostId = null)
{
    public static NearlineEvent Joined(Member member, long time, int day) => new($"member:{member.Id}", NearlineEventKind.MemberJoined, time, day, Member: member);

    public static NearlineEvent Edited(ProfileChange change) => new($"profile:{change.Id}", NearlineEventKind.ProfileChanged, change.Time, change.Day, Member: change.Member);

    public static NearlineEvent Created(Post post) => new($"post:{post.Id}", NearlineEventKind.PostCreated, post.Time, post.Day, Post: post);

    public static NearlineEvent Shown(FeedImpression impression) =>
        new($"impression:{impression.Id}", NearlineEventKind.Impression, impression.Time, impression.Day, Impression: impression);

    /// <summary>The entity whose state the event changes first: the member for joins, edits and impressions, the post otherwise.</summary>
    public string Subject => Kind switch
    {
        NearlineEventKind.MemberJoined or NearlineEventKind.ProfileChanged => $"member {Member?.Id}",
        NearlineEventKind.Impression => $"member {Impression?.MemberId}",
        NearlineEventKind.PostCreated => $"post {Post?.Id}",
        _ => $"post {PostId}",
    };

    /// <summary>The kind as it is written: snake_case.</summary>
    public static string KindName(NearlineEventKind kind) => kind switch
    {
        NearlineEventKind.MemberJoined => "member_joined",
        NearlineEventKind.ProfileChanged => "profile_changed",
        NearlineEventKind.PostCreated => "post_created",
        NearlineEventKind.PostDeleted => "post_deleted",
        _ => "impression",
    };

    public static readonly IReadOnlyList<NearlineEventKind> Kinds = Enum.GetValues<NearlineEventKind>();

    /// <summary>The event as one JSON line.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = DataJson.Encoder }))
        {
            writer.WriteStartObject();
            writer.WriteString("id", Id);
            writer.WriteString("kind", KindName(Kind));
            writer.WriteNumber("time", Time);
            writer.WriteNumber("day", Day);
            switch (Kind)
            {
                case NearlineEventKind.MemberJoined or NearlineEventKind.ProfileChanged when Member is not null:
                    writer.WritePropertyName("member");
                    JsonSerializer.Serialize(writer, Member, DataJson.Compact.Member);
                    break;
                case NearlineEventKind.PostCreated when Post is not null:
                    writer.WritePropertyName("post");
                    JsonSerializer.Serialize(writer, Post, DataJson.Compact.Post);
                    break;
                case NearlineEventKind.Impression when Impression is not null:
                    writer.WritePropertyName("impression");
                    JsonSerializer.Serialize(writer, Impression, DataJson.Compact.FeedImpression);
                    break;
                case NearlineEventKind.PostDeleted when PostId is { } post:
                    writer.WriteNumber("post_id", post);
                    break;
            }
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads one JSON line; a line that is not a whole event gives null and the reason, naming the field.</summary>
    public static NearlineEvent? TryParse(string line, out string error)
    {
        error = "";
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "not a JSON object";
                return null;
            }
            if (!root.TryGetProperty("id", out var idValue) || idValue.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(idValue.GetString()))
            {
                error = "field \"id\" is missing or empty";
                return null;
            }
            var id = idValue.GetString()!;
            var kindName = root.TryGetProperty("kind", out var kindValue) && kindValue.ValueKind == JsonValueKind.String ? kindValue.GetString() : null;
            var kind = Kinds.Select(k => (NearlineEventKind?)k).FirstOrDefault(k => KindName(k!.Value) == kindName);
            if (kind is null)
            {
                error = $"event {id}: field \"kind\" is \"{kindName}\", not one of {string.Join(", ", Kinds.Select(KindName))}";
                return null;
            }
            if (!root.TryGetProperty("time", out var time) || !IsInteger(time, out var seconds) || !root.TryGetProperty("day", out var dayValue) || !IsInteger(dayValue, out var day)
                || day is < int.MinValue or > int.MaxValue)
            {
                error = $"event {id}: fields \"time\" (Unix seconds) and \"day\" (integer) are required";
                return null;
            }
            var payload = kind switch
            {
                NearlineEventKind.MemberJoined or NearlineEventKind.ProfileChanged => "member",
                NearlineEventKind.PostCreated => "post",
                NearlineEventKind.Impression => "impression",
                _ => "post_id",
            };
            if (!root.TryGetProperty(payload, out var body) || body.ValueKind == JsonValueKind.Null)
            {
                error = $"event {id}: a {KindName(kind.Value)} event needs field \"{payload}\"";
                return null;
            }
            var parsed = kind switch
            {
                NearlineEventKind.MemberJoined or NearlineEventKind.ProfileChanged => new NearlineEvent(id, kind.Value, seconds, (int)day, Member: body.Deserialize(DataJson.Compact.Member)),
                NearlineEventKind.PostCreated => new NearlineEvent(id, kind.Value, seconds, (int)day, Post: body.Deserialize(DataJson.Compact.Post)),
                NearlineEventKind.Impression => new NearlineEvent(id, kind.Value, seconds, (int)day, Impression: body.Deserialize(DataJson.Compact.FeedImpression)),
                _ => IsInteger(body, out var post) ? new NearlineEvent(id, kind.Value, seconds, (int)day, PostId: post) : Fail($"event {id}: field \"post_id\" is not an integer", out error),
            };
            if (parsed is not null && PayloadProblem(parsed) is { } problem)
            {
                error = $"event {id}: field \"{payload}{problem.Path[1..]}\" {problem.Problem}";
                return null;
            }
            return parsed;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            error = $"not a valid event: {e.Message}";
            return null;
        }
    }

    // The payload's records come from JSON without a schema check: every required field must be there and every number
    // finite, or the stages would fail on the record later (rendering it, writing it back).
    private static FieldProblem? PayloadProblem(NearlineEvent e) => e switch
    {
        { Member: { } m } => RecordChecks.FirstProblem(m, DataJson.Compact.Member),
        { Post: { } p } => RecordChecks.FirstProblem(p, DataJson.Compact.Post),
        { Impression: { } i } => RecordChecks.FirstProblem(i, DataJson.Compact.FeedImpression),
        _ => null,
    };

    private static bool IsInteger(JsonElement element, out long value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out value);
    }

    private static NearlineEvent? Fail(string message, out string error)
    {
        error = message;
        return null;
    }
}
