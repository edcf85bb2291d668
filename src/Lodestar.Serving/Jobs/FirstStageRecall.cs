// How many of the policy's best jobs for a member the jobs endpoint's first stage keeps: for each member, every job it
// could be offered (JobCatalog.Eligible) is scored by the policy, and the top ones by the policy's overall are looked
// for among the first stage's candidates. The student can only rank what the first stage hands it, so this recall
// caps the endpoint's quality.
using Lodestar.Data.Schema;
using Lodestar.Policy;

namespace Lodestar.Serving.Jobs;

/// <param name="Members">Members measured (those with at least one eligible job).</param>
/// <param name="Top">How many of the policy's best jobs a member's recall looks for (fewer when fewer are eligible).</param>
/// <param name="Candidates">How many jobs the first stage hands the student.</param>
/// <param name="Recall">The share of all members' top jobs that are among their candidates.</param>
/// <param name="OutsideLists">Share of all top jobs that share neither a required skill nor the occupation with the profile, which the first stage cannot find.</param>
/// <param name="MeanEligible">Mean eligible jobs a member.</param>
/// <param name="KeptOverall">Mean policy overall of the top jobs the first stage kept (NaN when none).</param>
/// <param name="MissedOverall">Mean policy overall of the top jobs it missed (NaN when none): how good the jobs it loses are.</param>
public sealed record FirstStageRecallResult(int Members, int Top, int Candidates, int Day, double Recall, double OutsideLists, double MeanEligible, double KeptOverall, double MissedOverall);

public static class FirstStageRecall
{
    /// <summary>Recall of <paramref name="policy"/>'s <paramref name="top"/> best jobs among the first <paramref name="candidates"/> of the first stage, over <paramref name="members"/> on <paramref name="day"/>.</summary>
    public static FirstStageRecallResult Measure(JobCatalog catalog, CompiledPolicy<Member, Job> policy, IEnumerable<Member> members, int day, int openDays, int candidates, int top)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(candidates, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var (measured, topJobs, outside, eligibleSum) = (0, 0L, 0L, 0L);
        var (kept, missed) = (new List<double>(), new List<double>());
        var scores = new int[policy.DimensionCount];
        foreach (var member in members)
        {
            var eligible = catalog.Eligible(member, day, openDays).ToList();
            if (eligible.Count == 0)
            {
                continue;
            }
            var best = eligible.Select(job => (job, overall: policy.Score(member, job, scores))).OrderByDescending(x => x.overall).ThenBy(x => x.job.Id).Take(top).ToList();
            var handed = catalog.Candidates(member, day, openDays, candidates).Candidates.Select(c => c.Job.Id).ToHashSet();
            foreach (var (job, overall) in best)
            {
                (handed.Contains(job.Id) ? kept : missed).Add(overall);
            }
            var skills = member.Skills.Select(JobCatalog.Key).ToHashSet(StringComparer.Ordinal);
            measured++;
            topJobs += best.Count;
            outside += best.Count(x => x.job.OccupationId != member.OccupationId && !x.job.RequiredSkills.Any(s => skills.Contains(JobCatalog.Key(s))));
            eligibleSum += eligible.Count;
        }
        return new FirstStageRecallResult(measured, top, candidates, day, topJobs == 0 ? 0 : (double)kept.Count / topJobs, topJobs == 0 ? 0 : (double)outside / topJobs,
            measured == 0 ? 0 : (double)eligibleSum / measured, kept.Count == 0 ? double.NaN : kept.Average(), missed.Count == 0 ? double.NaN : missed.Average());
    }
}
