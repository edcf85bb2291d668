// The feed ranker's examples on a small generated world: training windows make every impression before the
// validation days a target exactly once, held-out member-days hold the day's impressions as candidates after the
// impressions before it, and no feature of an impression changes when anything from its day or later changes.
using Lodestar.Data.Schema;
using Lodestar.Features.FeedRanking;
using Lodestar.Features.Retrieval;
using Lodestar.Features.Tests.Retrieval;
using Lodestar.Models.FeedRanking;

namespace Lodestar.Features.Tests.FeedRanking;

public sealed class FeedRankingExamplesTests(FeedWorld world) : IClassFixture<FeedWorld>
{
    private static readonly RetrievalDataConfig Days = new() { ValidationDays = 2, TestDays = 3 };

    [Fact]
    public void EveryTrainingImpressionIsATargetOnceAndEveryHeldOutOneACandidate()
    {
        const int MaxHistory = 6;
        var examples = FeedRankingExamples.Build(world.Log, Days, MaxHistory, evaluationDays: 0);
        var boundaries = examples.Boundaries;
        var trainImpressions = world.Log.Members.Sum(m => world.Log.ImpressionsOf(m).Count(i => i.Day < boundaries.ValidationStart));
        Assert.Equal(trainImpressions, examples.Train.Sum(s => s.Events.Length - s.FirstTarget));
        Assert.All(examples.Train, s => Assert.InRange(s.Events.Length, 1, MaxHistory));
        Assert.All(examples.Train, s => Assert.Equal(s.Events.Length * FeedRankingFeatures.Count, s.Features.Length));
        var heldOut = world.Log.Members.Sum(m => world.Log.ImpressionsOf(m).Count(i => i.Day >= boundaries.ValidationStart));
        Assert.Equal(heldOut, examples.Validation.Concat(examples.Test).Sum(d => d.Candidates.Length));
        foreach (var day in examples.Validation.Concat(examples.Test))
        {
            var impressions = world.Log.ImpressionsOf(day.MemberId);
            var before = impressions.Where(i => i.Day < day.Day).TakeLast(MaxHistory).ToList();
            Assert.Equal(before.Select(i => i.PostId), day.History.Select(e => e.Post.Id));
            Assert.Equal(before.Select(FeedRankingExamples.ActionSet), day.History.Select(e => e.Actions));
            var onDay = impressions.Where(i => i.Day == day.Day).ToList();
            Assert.Equal(onDay.Select(i => i.PostId), day.Candidates.Select(p => p.Id));
            Assert.Equal(onDay.Select(FeedRankingExamples.ActionSet), day.Actions);
            Assert.Equal(day.Day >= boundaries.TestStart ? RetrievalSplit.Test : RetrievalSplit.Validation, day.Split);
        }
        Assert.NotEmpty(examples.Validation);
        Assert.NotEmpty(examples.Test);
    }

    [Fact]
    public void AnImpressionsFeaturesIgnoreItsDayAndLater()
    {
        var posts = world.Log.Posts.Values.ToList();
        var impressions = world.Log.Members.SelectMany(world.Log.ImpressionsOf).ToList();
        var cut = (world.Log.FirstDay + world.Log.LastDay) / 2;
        // Every impression from the cut day on becomes a click, like, comment and share of the same member and post.
        var changed = impressions.Select(i => i.Day >= cut ? i with { Click = true, Like = true, Comment = true, Share = true, Skip = false } : i).ToList();
        var original = new FeedRankingFeatures(world.Log);
        var altered = new FeedRankingFeatures(FeedLog.From(posts, changed));
        var compared = 0;
        foreach (var member in world.Log.Members.Take(120))
        {
            var mine = world.Log.ImpressionsOf(member);
            var a = original.Of(member, mine);
            var b = altered.Of(member, mine);
            for (var i = 0; i < mine.Count && mine[i].Day <= cut; i++)
            {
                Assert.Equal(a.AsSpan(i * FeedRankingFeatures.Count, FeedRankingFeatures.Count).ToArray(), b.AsSpan(i * FeedRankingFeatures.Count, FeedRankingFeatures.Count).ToArray());
                compared++;
            }
        }
        Assert.True(compared > 100, $"{compared} impressions compared");
        // And the features do see earlier days: some post was shown before its impression.
        Assert.Contains(world.Log.Members.Take(120), m => original.Of(m, world.Log.ImpressionsOf(m)).Where((_, column) => column % FeedRankingFeatures.Count == 0).Any(v => v > 0));
    }

    [Fact]
    public void AnImpressionOfAnUnknownPostIsRefusedWithItsIds()
    {
        var features = new FeedRankingFeatures(world.Log);
        var member = world.Log.Members.First();
        var impression = world.Log.ImpressionsOf(member)[0] with { PostId = 987_654_321 };
        var error = Assert.Throws<KeyNotFoundException>(() => features.Of(member, [impression]));
        Assert.Contains("post 987654321", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARequestOnAHeldOutDayReadsTheHistoryAndFeaturesItsExamplesRead()
    {
        const int MaxHistory = 6;
        var examples = FeedRankingExamples.Build(world.Log, Days, MaxHistory, evaluationDays: 0);
        var features = new FeedRankingFeatures(world.Log);
        var compared = 0;
        foreach (var day in examples.Test.Take(40))
        {
            var time = world.Log.ImpressionsOf(day.MemberId).First(i => i.Day == day.Day).Time;
            var request = features.Request(day.MemberId, day.Day, time, [.. day.Candidates.Select(c => c.Id)], MaxHistory);
            Assert.Equal(day.History, request.History);
            Assert.Equal(day.HistoryCount, request.HistoryCount);
            Assert.Equal(day.Candidates, request.Candidates);
            // Every column but the post's age and the slot, which are the request's own.
            for (var k = 0; k < day.Candidates.Length; k++)
            {
                Assert.Equal(day.Features.AsSpan(k * FeedRankingFeatures.Count, 8).ToArray(), request.Features.AsSpan(k * FeedRankingFeatures.Count, 8).ToArray());
                compared++;
            }
        }
        Assert.True(compared > 40, $"{compared} candidates compared");
    }

    [Fact]
    public void ARequestForAPostCreatedAfterItOrUnknownIsRefusedNamingThePost()
    {
        var features = new FeedRankingFeatures(world.Log);
        var member = world.Log.Members.First();
        var latest = world.Log.Posts.Values.MaxBy(p => p.Time)!;
        var error = Assert.Throws<ArgumentException>(() => features.Request(member, latest.Day, latest.Time - 1, [latest.Id], 8));
        Assert.Contains($"post {latest.Id} was created at {latest.Time}, after the request", error.Message, StringComparison.Ordinal);
        Assert.Contains("post 987654321", Assert.Throws<KeyNotFoundException>(() => features.Request(member, latest.Day, latest.Time, [987_654_321], 8)).Message, StringComparison.Ordinal);
    }
}
