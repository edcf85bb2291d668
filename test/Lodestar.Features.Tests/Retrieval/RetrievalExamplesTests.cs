// Feed retrieval's training data on a small generated world: examples hold exactly a member's engagements
// and unengaged impressions of one day, splits follow the days, counts and histories as of a day hold
// nothing from that day or later, and easy negatives are alive and never shown to the member.
using Lodestar.Core;
using Lodestar.Data.Generation;
using Lodestar.Data.Schema;
using Lodestar.Data.Vocabularies;
using Lodestar.Features.Retrieval;
using Lodestar.Text.Prompts;

namespace Lodestar.Features.Tests.Retrieval;

public sealed class FeedWorld : IDisposable
{
    public FeedWorld()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("lodestar-feed-").FullName;
        WorldGenerator.Generate(new WorldConfig { Members = 300, Days = 12, Seed = 7, MatchSamplePairs = 100, Threads = 1 }, BuiltInVocabulary.Create(), Directory);
        Log = FeedLog.Load(Directory);
    }

    public string Directory { get; }

    public FeedLog Log { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

public sealed class RetrievalExamplesTests(FeedWorld world) : IClassFixture<FeedWorld>
{
    private FeedLog Log => world.Log;

    private static readonly RetrievalDataConfig Config = new() { ValidationDays = 2, TestDays = 3 };

    [Fact]
    public void AnExampleIsOneMembersEngagementsAndUnengagedImpressionsOfOneDay()
    {
        var examples = RetrievalExamples.Build(Log, Config);
        Assert.NotEmpty(examples);
        var boundaries = RetrievalExamples.Boundaries(Log, Config);
        Assert.Equal((Log.LastDay - 2, Log.LastDay - 4), (boundaries.TestStart, boundaries.ValidationStart));
        foreach (var example in examples)
        {
            var day = Log.ImpressionsOf(example.MemberId).Where(i => i.Day == example.Day).ToList();
            Assert.Equal(day.Where(WorldSnapshot.IsPositive).Select(i => i.PostId).Distinct().Order(), example.Positives);
            Assert.Equal(day.Select(i => i.PostId).Except(example.Positives).Order(), example.HardNegatives);
            Assert.Empty(example.Positives.Intersect(example.HardNegatives));
            Assert.Equal(boundaries.SplitOf(example.Day), example.Split);
        }
        // Every member-day with an engagement is an example, once; each split has some.
        var engagedDays = Log.Members.SelectMany(m => Log.ImpressionsOf(m).Where(WorldSnapshot.IsPositive).Select(i => (m, i.Day))).Distinct().Count();
        Assert.Equal(engagedDays, examples.Count);
        Assert.Equal(examples.Count, examples.Select(e => (e.MemberId, e.Day)).Distinct().Count());
        Assert.All(Enum.GetValues<RetrievalSplit>(), split => Assert.Contains(examples, e => e.Split == split));
    }

    [Fact]
    public void CountsAndHistoriesAsOfADayHoldNothingFromThatDayOn()
    {
        var random = new SeededRandom(3);
        var impressions = Log.Members.SelectMany(Log.ImpressionsOf).ToList();
        var posts = Log.Posts.Keys.Order().ToArray();
        for (var trial = 0; trial < 200; trial++)
        {
            var post = posts[random.NextInt(posts.Length)];
            var day = Log.FirstDay + random.NextInt(Log.LastDay - Log.FirstDay + 2);
            var before = impressions.Where(i => i.PostId == post && i.Day < day).ToList();
            var counts = Log.CountsBefore(post, day);
            Assert.Equal(
                (before.Count, before.Count(i => i.Click), before.Count(i => i.Like), before.Count(i => i.Comment), before.Count(i => i.Share), before.Count(WorldSnapshot.IsPositive)),
                ((int)counts.Impressions, (int)counts.Clicks, (int)counts.Likes, (int)counts.Comments, (int)counts.Shares, (int)counts.Positives));
        }
        var member = Log.Members.OrderByDescending(m => Log.ImpressionsOf(m).Count).First();
        var middle = (Log.FirstDay + Log.LastDay) / 2;
        var history = Log.PositivesBefore(member, middle).ToList();
        Assert.NotEmpty(history);
        Assert.All(history, i => Assert.True(i.Day < middle && WorldSnapshot.IsPositive(i)));
        Assert.Equal(Log.ImpressionsOf(member).Count(i => i.Day < middle && WorldSnapshot.IsPositive(i)), history.Count);
        Assert.Equal(history.OrderBy(i => i.Time).ThenBy(i => i.Id), history);
    }

    [Fact]
    public void EasyNegativesAreAliveNeverShownDistinctAndSeeded()
    {
        var sampler = new EasyNegativeSampler(Log);
        var member = Log.Members.Order().First();
        var shown = Log.ImpressionsOf(member).Select(i => i.PostId).ToHashSet();
        var day = Log.LastDay;
        var drawn = sampler.Draw(member, day, 20, new SeededRandom(1));
        Assert.Equal(20, drawn.Length);
        Assert.Equal(drawn.Length, drawn.Distinct().Count());
        Assert.All(drawn, p => Assert.True(Log.Posts[p].Day <= day && !shown.Contains(p), $"post {p}"));
        Assert.Equal(drawn, new EasyNegativeSampler(Log).Draw(member, day, 20, new SeededRandom(1)));
        // Asking for more than qualify returns every qualifying post once.
        var alive = Log.PostsCreatedBy(Log.FirstDay).ToArray().Where(p => !shown.Contains(p)).ToHashSet();
        var all = sampler.Draw(member, Log.FirstDay, alive.Count + 50, new SeededRandom(2));
        Assert.Equal(alive.Order(), all.Order());
    }

    [Fact]
    public void BadLogsFailNamingWhatIsWrong()
    {
        var error = Assert.Throws<InvalidDataException>(() => FeedLog.From(
            [new Post(1, 5, null, [], PostFormat.Text, "hello", 0, 0)],
            [new FeedImpression(9, 1, 5, 2, 0, 0, 0, true, false, false, false, false, false, 1f)], "impressions.jsonl"));
        Assert.Contains("impressions.jsonl: impression 9 shows post 2", error.Message, StringComparison.Ordinal);
        var tooShort = Assert.Throws<ArgumentException>(() => RetrievalExamples.Boundaries(Log, new RetrievalDataConfig { ValidationDays = 6, TestDays = 7 }));
        Assert.Contains("too short", tooShort.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => FeedLog.Load(Path.Combine(world.Directory, "absent")));
    }
}

public sealed class RetrievalPromptsTests(FeedWorld world) : IClassFixture<FeedWorld>
{
    private RetrievalPrompts Prompts(CountFormat counts, HistoryMode history, out RetrievalBoundaries boundaries)
    {
        boundaries = RetrievalExamples.Boundaries(world.Log, new RetrievalDataConfig { ValidationDays = 2, TestDays = 3 });
        var tokenizer = Lodestar.Features.JobMatching.MatchDataBuilder.TrainTokenizer(world.Directory, 600);
        return new RetrievalPrompts(WorldSnapshot.Load(world.Directory), world.Log, PromptLibrary.LoadBuiltIn(), tokenizer, boundaries.ValidationStart, counts, history);
    }

    [Fact]
    public void AMembersPromptOnADayShowsOnlyTheHistoryBeforeIt()
    {
        var positives = Prompts(CountFormat.Percentile, HistoryMode.Positives, out var boundaries);
        var all = Prompts(CountFormat.Percentile, HistoryMode.All, out _);
        var log = world.Log;
        var member = log.Members.OrderByDescending(m => log.ImpressionsOf(m).Count).First();
        foreach (var day in new[] { log.FirstDay, boundaries.ValidationStart, boundaries.TestStart, log.LastDay })
        {
            Assert.Equal(log.PositivesBefore(member, day).Count(), positives.Member(member, day).HistoryItemsAvailable);
            Assert.Equal(log.ImpressionsBefore(member, day).Count(), all.Member(member, day).HistoryItemsAvailable);
        }
        var late = positives.Member(member, log.LastDay);
        Assert.True(late.HistoryItemsShown > 0 && late.Tokens <= late.Budget, $"{late.HistoryItemsShown} items, {late.Tokens} of {late.Budget} tokens");
    }

    [Fact]
    public void APostsCountsAreThoseBeforeTheDayAsPercentilesFittedOnTrainingDaysOrAsRawNumbers()
    {
        var prompts = Prompts(CountFormat.Percentile, HistoryMode.Positives, out var boundaries);
        var raw = Prompts(CountFormat.Raw, HistoryMode.Positives, out _);
        var log = world.Log;
        var views = prompts.Percentiles!.ByField["view_percentile"];
        Assert.Equal(log.Posts.Values.Count(p => p.Day < boundaries.ValidationStart), views.Count);
        var post = log.Posts.Keys.OrderByDescending(p => log.CountsBefore(p, log.LastDay + 1).Impressions).First();
        var buckets = new HashSet<string>();
        foreach (var day in Enumerable.Range(log.Posts[post].Day, log.LastDay - log.Posts[post].Day + 2))
        {
            var counts = log.CountsBefore(post, day);
            var prompt = prompts.Post(post, day);
            var field = prompt.Fields.Single(f => f.Name == "view_percentile").Text;
            Assert.Equal($"<view_percentile>{views.Bucket(counts.Impressions)}</view_percentile>", field);
            buckets.Add(field);
            Assert.Equal($"<views>{counts.Impressions}</views>", raw.Post(post, day).Fields.Single(f => f.Name == "views").Text);
        }
        Assert.True(buckets.Count > 1, "the post's view percentile never moved over its life");
        Assert.Throws<KeyNotFoundException>(() => prompts.Post(-1, log.LastDay));
    }
}

public sealed class RetrievalBatchTests(FeedWorld world) : IClassFixture<FeedWorld>
{
    [Fact]
    public void ABatchHoldsEachPostOnceAndMasksOnlyARowsOtherPositives()
    {
        var log = world.Log;
        var examples = RetrievalExamples.Build(log, new RetrievalDataConfig { ValidationDays = 2, TestDays = 3 })
            .Where(e => e.Split == RetrievalSplit.Train).OrderByDescending(e => e.Positives.Length).ThenBy(e => e.MemberId).Take(24).ToList();
        Assert.Contains(examples, e => e.Positives.Length > 1);
        var sampler = new EasyNegativeSampler(log);
        var batch = RetrievalBatch.Draw(examples, hard: 2, easy: 3, sampler, new SeededRandom(4));
        var k = batch.Candidates.Length;
        Assert.Equal(k, batch.Candidates.Distinct().Count());
        Assert.Equal(examples.Count * k, batch.Excluded.Length);
        for (var i = 0; i < examples.Count; i++)
        {
            var example = examples[i];
            Assert.Contains(batch.Candidates[batch.Labels[i]], example.Positives);
            for (var j = 0; j < k; j++)
            {
                var expected = j != batch.Labels[i] && example.Positives.Contains(batch.Candidates[j]);
                Assert.Equal(expected, batch.Excluded[(i * k) + j]);
            }
        }
        // Every candidate is some row's positive, hard negative, or a post alive that day and never shown to that member.
        var allowed = examples.SelectMany(e => e.Positives.Concat(e.HardNegatives)).ToHashSet();
        var easy = batch.Candidates.Where(p => !allowed.Contains(p)).ToList();
        Assert.NotEmpty(easy);
        Assert.All(easy, p => Assert.Contains(examples, e => log.Posts[p].Day <= e.Day && !log.ImpressionsOf(e.MemberId).Any(i => i.PostId == p)));
        // Each candidate is rendered as of the day of a member-day that brought it in: one holding it, or one it is an
        // easy negative of (created by then, never shown to that member).
        Assert.Equal(k, batch.Days.Length);
        for (var j = 0; j < k; j++)
        {
            var (post, day) = (batch.Candidates[j], batch.Days[j]);
            Assert.Contains(examples, e => e.Day == day && (e.Positives.Contains(post) || e.HardNegatives.Contains(post)
                || (log.Posts[post].Day <= day && !log.ImpressionsOf(e.MemberId).Any(i => i.PostId == post))));
        }
        Assert.Equal(batch.Candidates, RetrievalBatch.Draw(examples, 2, 3, new EasyNegativeSampler(log), new SeededRandom(4)).Candidates);
        Assert.Throws<ArgumentException>(() => RetrievalBatch.Draw([examples[0] with { Positives = [] }], 2, 3, sampler, new SeededRandom(4)));
    }
}
