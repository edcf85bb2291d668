// The true member–job match under the default policy dimensions (skills, seniority, location, industry,
// title, hard requirements). The generator uses it to drive applies and dismisses and writes it as ground
// truth; a policy-anchored matcher is scored against it.
using Lodestar.Data.Schema;

namespace Lodestar.Data.GroundTruth;

public static class MatchQuality
{
    // Weights of the soft dimensions in the overall score; they sum to 1.
    private const float SkillsWeight = 0.35f, SeniorityWeight = 0.2f, LocationWeight = 0.15f, IndustryWeight = 0.1f, TitleWeight = 0.2f;

    /// <summary>What the match needs to know about a member, in vocabulary ids.</summary>
    public readonly record struct MemberSide(int[] SkillIds, int OccupationId, int Family, Seniority Seniority, int CityIndex, string Country, WorkplaceType RemotePreference, string Industry, IReadOnlyCollection<string> Credentials, IReadOnlyCollection<string> WorkAuthorisations);

    /// <summary>What the match needs to know about a job.</summary>
    public readonly record struct JobSide(int[] RequiredSkillIds, int[] NiceSkillIds, int OccupationId, int Family, Seniority Seniority, int CityIndex, string Country, WorkplaceType Workplace, string Industry, IReadOnlyList<HardRequirement> HardRequirements);

    public static MatchTruth Score(long memberId, long jobId, in MemberSide member, in JobSide job, bool observed)
    {
        var required = Overlap(member.SkillIds, job.RequiredSkillIds);
        var nice = Overlap(member.SkillIds, job.NiceSkillIds);
        var skills = job.RequiredSkillIds.Length == 0 ? 1f : (required + 0.5f * nice) / (job.RequiredSkillIds.Length + 0.5f * job.NiceSkillIds.Length);
        var seniority = Math.Max(0f, 1f - Math.Abs((int)member.Seniority - (int)job.Seniority) / 3f);
        var location = LocationScore(member, job);
        var industry = member.Industry == job.Industry ? 1f : 0.2f;
        var title = member.OccupationId == job.OccupationId ? 1f : member.Family == job.Family ? 0.4f : 0f;
        var hard = MeetsHardRequirements(member, job) ? 1f : 0f;
        var overall = hard * (SkillsWeight * skills + SeniorityWeight * seniority + LocationWeight * location + IndustryWeight * industry + TitleWeight * title);
        return new MatchTruth(memberId, jobId, skills, seniority, location, industry, title, hard, overall, observed);
    }

    private static float LocationScore(in MemberSide member, in JobSide job)
    {
        if (job.Workplace == WorkplaceType.Remote)
        {
            return member.Country == job.Country || member.WorkAuthorisations.Contains(job.Country) ? 1f : 0.3f;
        }
        if (member.CityIndex == job.CityIndex)
        {
            return member.RemotePreference == WorkplaceType.Remote && job.Workplace == WorkplaceType.OnSite ? 0.6f : 1f;
        }
        if (member.Country == job.Country)
        {
            return job.Workplace == WorkplaceType.Hybrid ? 0.5f : 0.3f;
        }
        return 0f;
    }

    private static bool MeetsHardRequirements(in MemberSide member, in JobSide job)
    {
        foreach (var requirement in job.HardRequirements)
        {
            var met = requirement.Kind == "work_authorisation"
                ? member.WorkAuthorisations.Contains(requirement.Value)
                : member.Credentials.Contains(requirement.Value);
            if (!met)
            {
                return false;
            }
        }
        return true;
    }

    private static int Overlap(int[] sortedA, int[] sortedB)
    {
        // Both arrays are sorted ascending skill ids.
        int i = 0, j = 0, count = 0;
        while (i < sortedA.Length && j < sortedB.Length)
        {
            if (sortedA[i] == sortedB[j])
            {
                count++;
                i++;
                j++;
            }
            else if (sortedA[i] < sortedB[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }
        return count;
    }
}
