// Job browsing and recruiter searches of one shard-day. A job seeker views open jobs mostly from their own
// family and applies on a logistic model of the true match AND of signals the policy does not score (see
// ApplyLogit), or dismisses a poor match; a recruiter contacts searched candidates in proportion to match².
using Lodestar.Core;
using Lodestar.Data.Schema;

namespace Lodestar.Data.Generation;

internal sealed partial class FeedSimulator
{
    private const int PeopleFamily = 7;

    // The occupation of each member's latest apply (−1: none yet). Only the shard owning a member writes
    // its entry and days run in order, so the state is the same for any thread count.
    private readonly int[] _appliedOccupation = Enumerable.Repeat(-1, world.MemberCount).ToArray();

    /// <summary>
    /// Logit of applying after a view. The policy's true match matters most, but people also apply for reasons
    /// a policy does not score, all visible to a model of the member's history and the posting: employer
    /// brand (the company), freshness (days since posting), a step up rather than down in seniority (the
    /// policy's seniority fit is symmetric), remote jobs for members who prefer remote (the policy's location
    /// score ignores preference for remote jobs), and repeat interest in the occupation of the member's last
    /// apply. Job-seeking intensity (latent) and Gaussian noise make the rest.
    /// </summary>
    internal double ApplyLogit(int m, int j, float match, int day, double noise)
    {
        var z = 0.3 + 5.0 * (match - 0.6) + W.CompanyAppeal[W.JobCompany[j]] - 0.06 * Math.Max(0, day - W.JobPostedDay[j]);
        var step = (int)W.JobSeniority[j] - (int)W.MemberSeniority[m];
        z += step == 1 ? 0.7 : step < 0 ? -0.9 : 0;
        var remote = W.JobWorkplace[j];
        z += W.MemberRemote[m] switch
        {
            WorkplaceType.Remote => remote == WorkplaceType.Remote ? 1.0 : remote == WorkplaceType.OnSite ? -1.0 : 0,
            WorkplaceType.OnSite => remote == WorkplaceType.Remote ? -0.4 : 0,
            _ => 0,
        };
        z += _appliedOccupation[m] == W.JobOccupation[j] ? 1.0 : 0;
        return z + (2.0 * (W.JobSeeking[m] - 0.2)) + (0.6 * noise);
    }

    private void BrowseJobs(int m, int day, long start, DayPools pools, SeededRandom rng, ShardDay result)
    {
        var views = 1 + rng.NextPoisson(1.0);
        var family = W.MemberFamily(m);
        for (var v = 0; v < views; v++)
        {
            var own = pools.OpenJobsByFamily[family];
            int j;
            if (own.Length > 0 && rng.Bernoulli(0.75))
            {
                j = own[rng.NextInt(own.Length)];
            }
            else if (pools.EndOpenJob > pools.FirstOpenJob)
            {
                j = pools.FirstOpenJob + rng.NextInt(pools.EndOpenJob - pools.FirstOpenJob);
            }
            else
            {
                return;
            }
            var time = start + 45L * v;
            result.JobEvents.Add(new JobEventRow(m, j, JobAction.View, time));
            var match = W.Match(m, j, observed: true).Overall;
            if (rng.NextDouble() < Sigmoid(ApplyLogit(m, j, match, day, rng.NextGaussian())))
            {
                result.JobEvents.Add(new JobEventRow(m, j, JobAction.Apply, time + 30));
                _appliedOccupation[m] = W.JobOccupation[j];
            }
            else if (rng.NextDouble() < 0.6 * Sigmoid(10 * (0.45 - match)))
            {
                result.JobEvents.Add(new JobEventRow(m, j, JobAction.Dismiss, time + 10));
            }
            if (result.SeenPairs.Add(((long)m << 32) | (uint)j))
            {
                result.MatchPairs.Add((m, j));
            }
        }
    }

    private void RunRecruiterSearches(int first, int end, int day, long dayStart, DayPools pools, SeededRandom rng, ShardDay result)
    {
        var openJobs = pools.EndOpenJob - pools.FirstOpenJob;
        if (openJobs == 0)
        {
            return;
        }
        var searches = rng.NextPoisson(W.Config.RecruiterSearchesPerThousandMembers * (end - first) / 1000.0);
        for (var s = 0; s < searches; s++)
        {
            var j = pools.FirstOpenJob + rng.NextInt(openJobs);
            var company = W.JobCompany[j];
            var recruiter = PickRecruiter(company, first, end, rng);
            var candidates = new List<(float Match, int Member)>();
            var pool = W.MembersByOccupation[W.JobOccupation[j]];
            var draws = Math.Min(pool.Length, 3 * W.Config.RecruiterResults);
            for (var d = 0; d < draws; d++)
            {
                var m = pool[rng.NextInt(pool.Length)];
                if (m != recruiter && W.MemberJoinDay[m] <= day && !candidates.Exists(c => c.Member == m))
                {
                    candidates.Add((W.Match(m, j, observed: true).Overall, m));
                }
            }
            candidates.Sort((a, b) => a.Match != b.Match ? b.Match.CompareTo(a.Match) : a.Member.CompareTo(b.Member));
            var shown = candidates.Take(W.Config.RecruiterResults).ToArray();
            var contacted = new List<int>();
            foreach (var (match, member) in shown)
            {
                if (rng.NextDouble() < 0.6 * match * match)
                {
                    contacted.Add(member);
                }
            }
            var second = Math.Clamp((int)(11 * 3600 + 7200 * rng.NextGaussian()), 0, 86399);
            result.Searches.Add(new RecruiterRow(recruiter, company, j, [.. shown.Select(c => c.Member)], [.. contacted], dayStart + second));
        }
    }

    private int PickRecruiter(int company, int first, int end, SeededRandom rng)
    {
        var staff = W.MembersByCompany[company];
        if (staff.Length == 0)
        {
            return first + rng.NextInt(end - first);
        }
        // Prefer someone in the people (HR/recruiting) family; otherwise a hiring manager at the company.
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var m = staff[rng.NextInt(staff.Length)];
            if (W.MemberFamily(m) == PeopleFamily)
            {
                return m;
            }
        }
        return staff[rng.NextInt(staff.Length)];
    }
}
