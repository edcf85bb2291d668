// One member–job example of the match data set: its tokens, which split it is in, and whichever hard
// labels exist for it (policy levels and overall for sampled pairs, apply for viewed jobs).
namespace Lodestar.Features.JobMatching;

public enum MatchSplit
{
    Train,
    Validation,
    Test,
}

/// <param name="Tokens">T token ids, padded with 0.</param>
/// <param name="Keep">T flags: 1 for a real token.</param>
/// <param name="PolicyLevels">Per-dimension level index (score − scale min), or null when the pair has no policy label.</param>
/// <param name="PolicyOverall">Overall policy score mapped onto [0,1], or NaN without a policy label.</param>
/// <param name="Applied">1 applied after viewing, 0 viewed without applying, −1 not a viewed pair.</param>
/// <param name="Truth">The world's true overall match in [0,1], or NaN when the world has none for the pair.</param>
public sealed record MatchExample(
    long MemberId,
    long JobId,
    MatchSplit Split,
    int[] Tokens,
    byte[] Keep,
    int[]? PolicyLevels,
    float PolicyOverall,
    int Applied,
    float Truth)
{
    /// <summary>Day of the view that made the pair an example, or the world's last day for a pair nobody viewed.</summary>
    public int Day { get; init; }

    /// <summary>Real tokens of the member's part at the start of Tokens when the pair is rendered member first (MatchDataConfig.MemberFirst); else 0.</summary>
    public int MemberTokens { get; init; }

    /// <summary>A pair to be scored, seen on <paramref name="day"/>: no labels, and its split is not read by the model.</summary>
    public static MatchExample Unlabelled(long memberId, long jobId, EncodedPair pair, int day) =>
        new(memberId, jobId, MatchSplit.Test, pair.Tokens, pair.Keep, null, float.NaN, -1, float.NaN) { Day = day, MemberTokens = pair.MemberTokens };
}
