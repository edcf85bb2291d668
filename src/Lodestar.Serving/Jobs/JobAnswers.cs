// What the jobs endpoint answers, as records serialised to snake_case JSON: each job with the student's overall score
// on the policy's scale and in the rubric's words, its apply probability, and every policy dimension's predicted level
// with the rubric's words for that level.
namespace Lodestar.Serving.Jobs;

/// <param name="Day">The world's day of the clock: jobs posted within the open window up to it are offered.</param>
/// <param name="Policy">The policy the scores are on (id@version#hash).</param>
/// <param name="FirstStage">What the first stage looked at and why jobs were left out.</param>
/// <param name="Scored">Candidates the student scored in one pass.</param>
public sealed record JobsAnswer(long MemberId, long Clock, int Day, string Policy, CandidateCounts FirstStage, int Scored, IReadOnlyList<JobMatch> Jobs);

/// <param name="Overall">σ of the overall head: the policy's overall score mapped onto [0, 1].</param>
/// <param name="OverallScore">The same on the policy's overall scale (0–4 by default).</param>
/// <param name="OverallWords">The overall scale's words for the level the score rounds to.</param>
/// <param name="Apply">σ of the apply head: how likely the member applies after viewing.</param>
/// <param name="CandidateRank">The job's place (1-based) in the first stage, before the student scored it.</param>
/// <param name="Why">The reasons in words: the first stage's evidence and the dimensions that carry the score.</param>
public sealed record JobMatch(int Rank, long JobId, float Overall, double OverallScore, int OverallLevel, string OverallWords, float Apply, int CandidateRank,
    JobView Job, IReadOnlyList<DimensionLevel> Dimensions, IReadOnlyList<string> Why);

/// <summary>A job posting as answers show it.</summary>
public sealed record JobView(long Id, string Title, string Company, string Location, string Workplace, string Seniority, string Industry,
    IReadOnlyList<string> RequiredSkills, IReadOnlyList<string> HardRequirements, int PostedDay);

/// <summary>A policy dimension's most probable level under the student, its probability and the rubric's words for it.</summary>
public sealed record DimensionLevel(string Id, string Name, int Level, float Probability, string Words);
