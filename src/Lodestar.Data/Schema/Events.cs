// Engagement logs: feed impressions with per-action flags, job actions, recruiter searches, and the
// generic ordered item interactions that sequential data (Amazon, MovieLens) is read into.
namespace Lodestar.Data.Schema;

/// <summary>One post shown to one member in one feed session, with what the member did.
/// <c>Position</c> is the 0-based slot in the session; <c>DwellSeconds</c> the time the post was on screen.
/// <c>Time</c> is Unix seconds (UTC); <c>Day</c> counts from the data set's start date.</summary>
public sealed record FeedImpression(
    long Id,
    long SessionId,
    long MemberId,
    long PostId,
    int Position,
    long Time,
    int Day,
    bool Click,
    bool Skip,
    bool LongDwell,
    bool Like,
    bool Comment,
    bool Share,
    float DwellSeconds);

/// <summary>A member editing their profile: <c>Member</c> is the whole profile after the edit (members.jsonl holds each
/// member's profile as it was when they joined).</summary>
public sealed record ProfileChange(long Id, long Time, int Day, Member Member);

/// <summary>A member viewing, applying to, or dismissing a job.</summary>
public sealed record JobEvent(long Id, long MemberId, long JobId, JobAction Action, long Time, int Day);

/// <summary>A recruiter's search for candidates: the query, the members shown (ranked) and those contacted.</summary>
public sealed record RecruiterSearch(
    long Id,
    long RecruiterMemberId,
    long CompanyId,
    string QueryTitle,
    IReadOnlyList<string> QuerySkills,
    string QueryCountry,
    IReadOnlyList<long> ResultMemberIds,
    IReadOnlyList<long> ContactedMemberIds,
    long Time,
    int Day);

/// <summary>A member's interaction with an item in order (a purchase, a rating, a click in a history).
/// <c>Sequence</c> is the 0-based position in the member's chronological history; <c>Time</c> is Unix
/// seconds when the source has timestamps, otherwise equal to <c>Sequence</c>; <c>Rating</c> is null when
/// the source has none.</summary>
public sealed record ItemInteraction(long MemberId, long ItemId, int Sequence, long Time, float? Rating);
