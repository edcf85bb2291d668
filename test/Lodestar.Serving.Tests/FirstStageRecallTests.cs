// The first stage's recall of the policy's best jobs: every job it hands the student is one the member could be
// offered (JobCatalog.Eligible), a first stage of one candidate keeps less than one of two hundred, and with room for
// every job its lists find, it misses exactly the top jobs that share neither a required skill nor the occupation.
using Lodestar.Policy;
using Lodestar.Serving.Jobs;

namespace Lodestar.Serving.Tests;

public sealed class FirstStageRecallTests(ServingWorld world) : IClassFixture<ServingWorld>
{
    private const int OpenDays = 30;

    [Fact]
    public void EveryCandidateIsEligibleAndRecallGrowsWithTheCandidatesUpToWhatTheListsFind()
    {
        var members = world.Snapshot.Members.Values.OrderBy(m => m.Id).Take(150).ToList();
        var day = world.Snapshot.LastDay;
        foreach (var member in members.Take(40))
        {
            var eligible = world.Jobs.Eligible(member, day, OpenDays).Select(j => j.Id).ToHashSet();
            Assert.All(world.Jobs.Candidates(member, day, OpenDays, 10_000).Candidates, c => Assert.Contains(c.Job.Id, eligible));
        }
        var policy = PolicyLoader.LoadJobPolicy();
        var one = FirstStageRecall.Measure(world.Jobs, policy, members, day, OpenDays, candidates: 1, top: 10);
        var all = FirstStageRecall.Measure(world.Jobs, policy, members, day, OpenDays, candidates: 10_000, top: 10);
        Assert.True(all.Members > 50, $"{all.Members} members with an eligible job");
        Assert.True(one.Recall < all.Recall, $"recall with one candidate {one.Recall}, with all {all.Recall}");
        Assert.Equal(1 - all.OutsideLists, all.Recall, 9);
        Assert.InRange(all.Recall, 0.05, 0.999);
    }
}
