// Feed content. A post's latent quality is ground truth (GroundTruth/PostTruth), not part of the post.
namespace Lodestar.Data.Schema;

/// <summary>One topic of a post's topic mix; weights of a post sum to 1.</summary>
public sealed record TopicWeight(string Topic, float Weight);

/// <summary>A feed post by a member or a company (exactly one of the two author ids is set for generated
/// posts; both are null for imported third-party content such as MIND news or MovieLens titles).
/// <c>Time</c> is Unix seconds (UTC); <c>Day</c> counts from the data set's start date.</summary>
public sealed record Post(
    long Id,
    long? AuthorMemberId,
    long? AuthorCompanyId,
    IReadOnlyList<TopicWeight> Topics,
    PostFormat Format,
    string Text,
    long Time,
    int Day);
