// Ground truth for the test pairs, computed independently of the policy's expressions (as the world
// generator does), so agreement tests measure the scorer against something it was not written from.
using Lodestar.Data.Schema;
using Lodestar.Policy.Golden;
using Lodestar.Policy.Labeling;

namespace Lodestar.Policy.Tests;

internal static class TestTruth
{
    public static TruthPair For(MatchPair pair)
    {
        var (m, j) = (pair.Member, pair.Job);
        var skills = j.RequiredSkills.Count(s => m.Skills.Contains(s)) / (double)Math.Max(1, j.RequiredSkills.Count);
        var seniority = Math.Max(0, 1 - Math.Abs((int)m.Seniority - (int)j.Seniority) / 3.0);
        var location = j.Workplace == WorkplaceType.Remote ? 1.0 : m.Location == j.Location ? 1.0 : m.Location.Country == j.Location.Country ? 0.3 : 0.0;
        var industry = m.Industry == j.Industry ? 1.0 : 0.2;
        var title = m.OccupationId == j.OccupationId ? 1.0 : 0.0;
        var hard = j.HardRequirements.All(r => m.Credentials.Contains(r.Value) || m.WorkAuthorisations.Contains(r.Value)) ? 1.0 : 0.0;
        var overall = hard * (0.35 * skills + 0.2 * seniority + 0.15 * location + 0.1 * industry + 0.2 * title);
        var truth = new Dictionary<string, double>
        {
            ["skills"] = skills, ["seniority_fit"] = seniority, ["location_remote"] = location,
            ["industry_domain"] = industry, ["title_relevance"] = title, ["hard_requirements"] = hard,
        };
        return new TruthPair(pair, truth, overall);
    }
}
