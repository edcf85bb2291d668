// The apply model depends on signals a model can see that the policy does not score (seniority step up
// versus down, posting freshness, remote preference), so a click teacher learns something the policy cannot.
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Xunit.Abstractions;

namespace Lodestar.Data.Tests;

[Collection(GeneratedWorldCollection.Name)]
public sealed class JobEventModelTests(GeneratedWorldFixture world, ITestOutputHelper output)
{
    private readonly Dictionary<long, Job> _jobs = JsonlReader.Read(Path.Combine(world.Directory, DataFiles.Jobs), DataJson.Compact.Job).ToDictionary(j => j.Id);
    private readonly Dictionary<long, Member> _members = world.Members.ToDictionary(m => m.Id);

    [Fact]
    public void OneStepUpDrawsMoreAppliesThanOneStepDown()
    {
        // |step| = 1 either way scores the same on the policy's symmetric seniority fit, so the gap comes from
        // the +0.7 / −0.9 logits of ApplyLogit: at a ~15% base rate that is about 0.25 against 0.08.
        var (up, down) = (Rate(v => Step(v) == 1), Rate(v => Step(v) == -1));
        output.WriteLine($"apply rate one step up {up.Rate:F3} ({up.Views} views), one step down {down.Rate:F3} ({down.Views} views)");
        Assert.True(up.Views > 100 && down.Views > 100, "too few views to compare");
        Assert.True(up.Rate > 1.5 * down.Rate, $"step up {up.Rate:F3} should draw over 1.5× the applies of step down {down.Rate:F3}");
    }

    [Fact]
    public void FreshPostingsDrawMoreAppliesThanStaleOnes()
    {
        // −0.06 logit per day since posting: ten days apart is −0.6, about 1.6× fewer applies at this base rate.
        var (fresh, stale) = (Rate(v => Age(v) <= 4), Rate(v => Age(v) >= 15));
        output.WriteLine($"apply rate posted ≤ 4 days ago {fresh.Rate:F3} ({fresh.Views} views), ≥ 15 days ago {stale.Rate:F3} ({stale.Views} views)");
        Assert.True(fresh.Views > 100 && stale.Views > 100, "too few views to compare");
        Assert.True(fresh.Rate > 1.3 * stale.Rate, $"fresh {fresh.Rate:F3} should draw over 1.3× the applies of stale {stale.Rate:F3}");
    }

    [Fact]
    public void RemotePreferringMembersApplyMoreToRemoteThanOnSitePostings()
    {
        bool Prefers(JobEvent v) => _members[v.MemberId].RemotePreference == WorkplaceType.Remote;
        var remote = Rate(v => Prefers(v) && _jobs[v.JobId].Workplace == WorkplaceType.Remote);
        var onSite = Rate(v => Prefers(v) && _jobs[v.JobId].Workplace == WorkplaceType.OnSite);
        output.WriteLine($"remote-preferring members: apply rate on remote {remote.Rate:F3} ({remote.Views}), on site {onSite.Rate:F3} ({onSite.Views})");
        Assert.True(remote.Views > 30 && onSite.Views > 30, "too few views to compare");
        Assert.True(remote.Rate > 1.5 * onSite.Rate);
    }

    private int Step(JobEvent view) => (int)_jobs[view.JobId].Seniority - (int)_members[view.MemberId].Seniority;

    private int Age(JobEvent view) => view.Day - _jobs[view.JobId].PostedDay;

    /// <summary>Share of first views of a pair (matching the filter) that the member applied to.</summary>
    private (double Rate, int Views) Rate(Func<JobEvent, bool> filter)
    {
        var applied = world.JobEvents.Where(e => e.Action == JobAction.Apply).Select(e => (e.MemberId, e.JobId)).ToHashSet();
        var views = world.JobEvents.Where(e => e.Action == JobAction.View).DistinctBy(e => (e.MemberId, e.JobId)).Where(filter).ToList();
        return (views.Count == 0 ? 0 : views.Count(v => applied.Contains((v.MemberId, v.JobId))) / (double)views.Count, views.Count);
    }
}
