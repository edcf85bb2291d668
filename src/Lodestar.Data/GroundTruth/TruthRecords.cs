// Ground truth of a generated world, written under truth/ beside the data and read only by evaluation:
// latent interests and propensities, post quality, true action probabilities, true job-match quality,
// and (in a separate audit file) protected attributes that exist solely for fairness audits.
using System.Text.Json.Serialization;

namespace Lodestar.Data.GroundTruth;

/// <summary>A member's latent state. True interest on day d is
/// normalise((1 - s) * from + s * to) with s = sigmoid((d - shift_day) / shift_width): a drift from one
/// topic mix to another (learning ML, then moving to distributed systems). <c>SessionsPerDay</c> is the
/// Poisson rate of feed sessions, <c>EngagementBias</c> an additive logit on every action, <c>JobSeeking</c>
/// the chance that a session includes job browsing.</summary>
public sealed record MemberTruth(
    long MemberId,
    IReadOnlyList<float> InterestFrom,
    IReadOnlyList<float> InterestTo,
    float ShiftDay,
    float ShiftWidth,
    float SessionsPerDay,
    float EngagementBias,
    float JobSeeking)
{
    /// <summary>The true interest mix over topics on <paramref name="day"/> (sums to 1).</summary>
    public float[] InterestOn(double day)
    {
        var result = new float[InterestFrom.Count];
        InterestTrajectory.At(InterestFrom, InterestTo, ShiftDay, ShiftWidth, day, result);
        return result;
    }
}

/// <summary>Protected attributes of a member, generated only for fairness audits. No model input holds
/// them and the simulation does not use them: any disparity a model shows is the model's own.</summary>
public sealed record MemberAudit(long MemberId, string AgeBand, string Gender);

/// <summary>A post's latent quality (a multiplicative effect on every action, mean about 1).</summary>
public sealed record PostTruth(long PostId, float Quality);

/// <summary>True match quality of a member–job pair under the default policy dimensions, each in [0, 1];
/// <c>HardRequirements</c> is 1 when every hard requirement is met, else 0; <c>Overall</c> is the
/// weighted mean of the soft dimensions times <c>HardRequirements</c>. <c>Observed</c> says whether the
/// pair appears in the job events (true) or was drawn as a random sample (false).</summary>
public sealed record MatchTruth(
    long MemberId,
    long JobId,
    float Skills,
    float Seniority,
    float Location,
    float Industry,
    float Title,
    float HardRequirements,
    float Overall,
    bool Observed);

/// <summary>The interest-drift formula shared by the generator and <see cref="MemberTruth.InterestOn"/>.</summary>
public static class InterestTrajectory
{
    public static void At(IReadOnlyList<float> from, IReadOnlyList<float> to, float shiftDay, float shiftWidth, double day, Span<float> result)
    {
        var s = 1.0 / (1.0 + Math.Exp(-(day - shiftDay) / shiftWidth));
        double sum = 0;
        for (var t = 0; t < result.Length; t++)
        {
            var v = (1 - s) * from[t] + s * to[t];
            result[t] = (float)v;
            sum += v;
        }
        for (var t = 0; t < result.Length; t++)
        {
            result[t] = (float)(result[t] / sum);
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(MemberTruth))]
[JsonSerializable(typeof(MemberAudit))]
[JsonSerializable(typeof(PostTruth))]
[JsonSerializable(typeof(MatchTruth))]
public sealed partial class TruthJsonContext : JsonSerializerContext;

/// <summary>File names under truth/.</summary>
public static class TruthFiles
{
    public const string Members = "members_truth.jsonl";
    public const string Audit = "members_audit.jsonl";
    public const string Posts = "posts_truth.jsonl";
    public const string ImpressionProbabilities = "impression_probabilities.bin";
    public const string JobMatches = "job_match_truth.jsonl";
}
