// The generated world has the shape of a real network: heavy-tailed post popularity and member activity,
// a cold-start share, realistic action-rate ordering, and a learnable but not trivial signal.
using Lodestar.Data.GroundTruth;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Xunit.Abstractions;

namespace Lodestar.Data.Tests;

[Collection(GeneratedWorldCollection.Name)]
public sealed class WorldShapeTests(GeneratedWorldFixture world, ITestOutputHelper output)
{
    [Fact]
    public void PostPopularityIsHeavyTailed()
    {
        var perPost = world.Impressions.GroupBy(i => i.PostId).Select(g => (double)g.Count()).OrderByDescending(c => c).ToArray();
        var total = perPost.Sum();
        var topShare = perPost.Take(Math.Max(1, world.Posts.Count / 100)).Sum() / total;
        output.WriteLine($"top 1% of posts: {topShare:P1} of {total} impressions; max {perPost[0]}, median {perPost[perPost.Length / 2]}");
        // Uniform exposure would give the top 1% about 1-2%; preferential attachment concentrates it.
        Assert.True(topShare > 0.10, $"top 1% of posts got only {topShare:P1} of impressions");
        Assert.True(perPost[0] > 20 * perPost[perPost.Length / 2]);
    }

    [Fact]
    public void MemberActivityIsHeavyTailedWithColdStart()
    {
        var perMember = world.Impressions.GroupBy(i => i.MemberId).ToDictionary(g => g.Key, g => g.Count());
        var counts = world.Members.Select(m => perMember.GetValueOrDefault(m.Id)).OrderByDescending(c => c).ToArray();
        var total = (double)counts.Sum();
        var topTenth = counts.Take(counts.Length / 10).Sum() / total;
        var coldShare = counts.Count(c => c == 0) / (double)counts.Length;
        var newMembers = world.Members.Where(m => m.ActivityLevel == ActivityLevel.New).ToList();
        output.WriteLine($"top 10% of members: {topTenth:P1} of impressions; members without impressions {coldShare:P1}; new {newMembers.Count}");
        Assert.True(topTenth > 0.5, $"top 10% of members made only {topTenth:P1} of impressions");
        Assert.All(newMembers, m => Assert.False(perMember.ContainsKey(m.Id)));
        Assert.InRange(newMembers.Count / (double)world.Members.Count, 0.05, 0.11);
        Assert.True(coldShare >= newMembers.Count / (double)world.Members.Count);
    }

    [Fact]
    public void ActionRatesAreOrderedLikeARealFeed()
    {
        var n = (double)world.Impressions.Count;
        var click = world.Impressions.Count(i => i.Click) / n;
        var dwell = world.Impressions.Count(i => i.LongDwell) / n;
        var like = world.Impressions.Count(i => i.Like) / n;
        var comment = world.Impressions.Count(i => i.Comment) / n;
        var share = world.Impressions.Count(i => i.Share) / n;
        var skip = world.Impressions.Count(i => i.Skip) / n;
        output.WriteLine($"impressions {n}: click {click:P2} long dwell {dwell:P2} like {like:P2} comment {comment:P2} share {share:P2} skip {skip:P2}");
        Assert.True(click < 0.25, "impressions >> clicks");
        Assert.True(click > dwell && dwell > like && like > comment && comment > share && share > 0);
        Assert.All(world.Impressions.Where(i => i.Skip), i => Assert.False(i.Click || i.LongDwell || i.Like || i.Comment || i.Share));
    }

    [Fact]
    public void TrueProbabilitiesRankActualActionsWellButNotPerfectly()
    {
        Assert.Equal(world.Impressions.Count, world.Probabilities.Count);
        Assert.All(world.Impressions.Zip(world.Probabilities).Take(1000), pair => Assert.Equal(pair.First.Id, pair.Second.ImpressionId));
        var clickAuc = Auc(world.Probabilities.Select(p => p.Click), world.Impressions.Select(i => i.Click));
        var likeAuc = Auc(world.Probabilities.Select(p => p.Like), world.Impressions.Select(i => i.Like));
        var skipAuc = Auc(world.Probabilities.Select(p => p.Skip), world.Impressions.Select(i => i.Skip));
        output.WriteLine($"AUC of true probabilities: click {clickAuc:F3}, like {likeAuc:F3}, skip {skipAuc:F3}");
        foreach (var auc in new[] { clickAuc, likeAuc, skipAuc })
        {
            Assert.InRange(auc, 0.65, 0.95);
        }
        // Calibration: the mean true probability matches the observed rate.
        var observed = world.Impressions.Count(i => i.Click) / (double)world.Impressions.Count;
        Assert.Equal(observed, world.Probabilities.Average(p => p.Click), 0.01);
    }

    [Fact]
    public void AppliesGoToBetterMatchesThanDismisses()
    {
        var truth = JsonlReader.Read(Path.Combine(world.Directory, DataFiles.GroundTruthDirectory, TruthFiles.JobMatches), TruthJsonContext.Default.MatchTruth).ToList();
        var observed = truth.Where(t => t.Observed).ToDictionary(t => (t.MemberId, t.JobId));
        Assert.Contains(truth, t => !t.Observed);
        Assert.All(world.JobEvents, e => Assert.True(observed.ContainsKey((e.MemberId, e.JobId))));
        var applied = world.JobEvents.Where(e => e.Action == JobAction.Apply).Select(e => observed[(e.MemberId, e.JobId)].Overall).ToList();
        var dismissed = world.JobEvents.Where(e => e.Action == JobAction.Dismiss).Select(e => observed[(e.MemberId, e.JobId)].Overall).ToList();
        output.WriteLine($"applies {applied.Count} (mean match {applied.Average():F3}), dismisses {dismissed.Count} (mean match {dismissed.Average():F3})");
        Assert.True(applied.Average() > dismissed.Average() + 0.2);
        Assert.All(truth.Where(t => t.HardRequirements == 0), t => Assert.Equal(0f, t.Overall));
        Assert.Contains(truth, t => t.HardRequirements == 0);
    }

    [Fact]
    public void InterestsDriftAndProtectedAttributesStayOutOfProfiles()
    {
        var truth = JsonlReader.Read(Path.Combine(world.Directory, DataFiles.GroundTruthDirectory, TruthFiles.Members), TruthJsonContext.Default.MemberTruth).ToList();
        Assert.Equal(world.Members.Count, truth.Count);
        var early = truth[0].InterestOn(-100);
        var late = truth[0].InterestOn(100);
        Assert.Equal(1.0, early.Sum(), 3);
        Assert.True(early.Zip(late).Sum(p => Math.Abs(p.First - p.Second)) > 0.2, "interest must drift between far-apart days");
        var audit = JsonlReader.Read(Path.Combine(world.Directory, DataFiles.GroundTruthDirectory, TruthFiles.Audit), TruthJsonContext.Default.MemberAudit).ToList();
        Assert.Equal(world.Members.Count, audit.Count);
        var profiles = File.ReadAllText(Path.Combine(world.Directory, DataFiles.Members));
        Assert.DoesNotContain("gender", profiles);
        Assert.DoesNotContain("age_band", profiles);
    }

    [Fact]
    public void MembersWhoseInterestsShiftInTheWindowEditTheirProfileThatDay()
    {
        var changes = JsonlReader.Read(Path.Combine(world.Directory, DataFiles.ProfileChanges), DataJson.Compact.ProfileChange).ToList();
        var truth = JsonlReader.Read(Path.Combine(world.Directory, DataFiles.GroundTruthDirectory, TruthFiles.Members), TruthJsonContext.Default.MemberTruth)
            .ToDictionary(t => t.MemberId);
        var joined = world.Members.ToDictionary(m => m.Id);
        var shifting = truth.Values.Count(t => t.ShiftDay >= 0 && t.ShiftDay < GeneratedWorldFixture.SmallConfig.Days);
        output.WriteLine($"{changes.Count} profile edits; {shifting} members shift inside the window");
        Assert.InRange(changes.Count, 0.2 * shifting, 0.4 * shifting);
        Assert.Equal(Enumerable.Range(1, changes.Count).Select(i => (long)i), changes.Select(c => c.Id));
        Assert.Equal(changes.OrderBy(c => c.Time).ThenBy(c => c.Member.Id).Select(c => c.Id), changes.Select(c => c.Id));
        Assert.Equal(changes.Count, changes.Select(c => c.Member.Id).Distinct().Count());
        Assert.Equal(changes.Count, world.Report.Counts[DataFiles.ProfileChanges]);
        var start = GeneratedWorldFixture.SmallConfig.StartUnixSeconds;
        foreach (var change in changes)
        {
            var before = joined[change.Member.Id];
            Assert.Equal((int)Math.Floor(truth[change.Member.Id].ShiftDay), change.Day);
            Assert.InRange(change.Time, start + change.Day * 86_400L + 1, start + change.Day * 86_400L + 86_399);
            Assert.True(change.Day >= before.JoinDay, $"member {before.Id} edited on day {change.Day} before joining on day {before.JoinDay}");
            Assert.Equal(before.Skills, change.Member.Skills.Take(before.Skills.Count));
            var added = Assert.Single(change.Member.Skills.Skip(before.Skills.Count));
            Assert.DoesNotContain(added, before.Skills);
            Assert.Contains($"| {added}", change.Member.Headline);
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(before with { Skills = change.Member.Skills, Headline = change.Member.Headline }, DataJson.Compact.Member),
                System.Text.Json.JsonSerializer.Serialize(change.Member, DataJson.Compact.Member));
        }
    }

    /// <summary>Mann–Whitney AUC with average ranks for ties.</summary>
    internal static double Auc(IEnumerable<float> scores, IEnumerable<bool> labels)
    {
        var pairs = scores.Zip(labels).OrderBy(p => p.First).ToArray();
        double positiveRankSum = 0;
        long positives = 0;
        for (var i = 0; i < pairs.Length;)
        {
            var j = i;
            while (j < pairs.Length && pairs[j].First == pairs[i].First)
            {
                j++;
            }
            var rank = (i + j + 1) / 2.0;
            for (var k = i; k < j; k++)
            {
                if (pairs[k].Second)
                {
                    positiveRankSum += rank;
                    positives++;
                }
            }
            i = j;
        }
        var negatives = pairs.Length - positives;
        return (positiveRankSum - positives * (positives + 1) / 2.0) / (positives * (double)negatives);
    }
}
