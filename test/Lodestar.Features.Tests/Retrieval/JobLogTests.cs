// Job candidate retrieval's data on a small generated world: an example is a member's applies of a day with the jobs
// it viewed and passed over, a job's counts on a day come from events before it (dismissals not counted as views),
// jobs posted before the window exist from its first day, a job prompt on a day is the same whatever happens from that
// day on, and a log naming a job it does not hold is refused by name.
using Lodestar.Data.Schema;
using Lodestar.Features.Retrieval;
using Lodestar.Text.Prompts;

namespace Lodestar.Features.Tests.Retrieval;

public sealed class JobLogTests(FeedWorld world) : IClassFixture<FeedWorld>
{
    private static readonly RetrievalDataConfig Config = new() { ValidationDays = 2, TestDays = 3 };

    private static List<JobEvent> Events(string directory) =>
        [.. Lodestar.Data.Storage.JsonlReader.Read(Path.Combine(directory, DataFiles.JobEvents), DataJson.Compact.JobEvent)];

    [Fact]
    public void AnExampleIsOneMembersAppliesAndTheJobsItPassedOverThatDay()
    {
        var log = JobLog.Load(world.Directory);
        var events = Events(world.Directory);
        var examples = RetrievalExamples.Build(log, Config);
        Assert.NotEmpty(examples);
        Assert.Equal(events.Where(e => e.Action == JobAction.Apply).Select(e => (e.MemberId, e.Day)).Distinct().Count(), examples.Count);
        foreach (var example in examples)
        {
            var day = events.Where(e => e.MemberId == example.MemberId && e.Day == example.Day).ToList();
            var applied = day.Where(e => e.Action == JobAction.Apply).Select(e => e.JobId).ToHashSet();
            Assert.Equal(applied.Order(), example.Positives);
            Assert.Equal(day.Select(e => e.JobId).Where(j => !applied.Contains(j)).Distinct().Order(), example.HardNegatives);
        }
        // Every job posted before the window is a candidate from its first day; later ones from the day they are posted.
        var jobs = log.Jobs.Values.ToList();
        Assert.Equal(jobs.Count(j => j.PostedDay <= log.FirstDay), log.ItemsCreatedBy(log.FirstDay).Length);
        Assert.Equal(jobs.Count, log.ItemsCreatedBy(log.LastDay + 100).Length);
        Assert.All(log.ItemsCreatedBy(5).ToArray(), j => Assert.True(log.Jobs[j].PostedDay <= 5));
    }

    [Fact]
    public void AJobsCountsAndPromptOnADayHoldNothingFromThatDayOn()
    {
        var log = JobLog.Load(world.Directory);
        var events = Events(world.Directory);
        var boundaries = RetrievalExamples.Boundaries(log, Config);
        var job = events.Where(e => e.Action == JobAction.Apply).GroupBy(e => e.JobId).OrderByDescending(g => g.Count()).First().Key;
        foreach (var day in new[] { log.FirstDay, boundaries.ValidationStart, log.LastDay })
        {
            var before = events.Where(e => e.JobId == job && e.Day < day).ToList();
            Assert.Equal((before.Count(e => e.Action == JobAction.View), before.Count(e => e.Action == JobAction.Apply)), log.CountsBefore(job, day));
        }

        // The same prompts from a log that ends the day before: every event from the day on is gone, nothing changes.
        var tokenizer = Lodestar.Features.JobMatching.MatchDataBuilder.TrainTokenizer(world.Directory, 600);
        var snapshot = WorldSnapshot.Load(world.Directory);
        var cut = boundaries.TestStart;
        var truncated = JobLog.From(log.Jobs.Values, events.Where(e => e.Day < cut));
        var full = new JobRetrievalPrompts(snapshot, log, PromptLibrary.LoadBuiltIn(), tokenizer, boundaries.ValidationStart, 128, 320);
        var past = new JobRetrievalPrompts(snapshot, truncated, PromptLibrary.LoadBuiltIn(), tokenizer, boundaries.ValidationStart, 128, 320);
        var member = events.Where(e => e.Action == JobAction.Apply).GroupBy(e => e.MemberId).OrderByDescending(g => g.Count()).First().Key;
        Assert.Equal(past.Job(job, cut).Text, full.Job(job, cut).Text);
        Assert.Equal(past.Member(member, cut).Text, full.Member(member, cut).Text);
        Assert.True(full.Job(job, cut).Text.Contains("<apply_percentile>", StringComparison.Ordinal), full.Job(job, cut).Text);
        full.ResetCounts();
        Assert.True(full.ItemTokens(job, cut).Length <= 320 + 2);
        full.MemberTokens(member, cut);
        Assert.Equal((1L, 1L), (full.PromptCounts.Members, full.PromptCounts.Items));
    }

    [Fact]
    public void PolicyMatchedJobsJoinOnlyTrainingPositivesAndNeverOverrideAJobThePassedOver()
    {
        var log = JobLog.Load(world.Directory);
        var snapshot = WorldSnapshot.Load(world.Directory);
        var policy = Lodestar.Policy.PolicyLoader.LoadJobPolicy();
        var examples = RetrievalExamples.Build(log, Config);
        var (anchored, added) = PolicyPositives.Add(examples, log, snapshot, policy, threshold: 2);
        Assert.True(added > 0, "no job scored 2 or more for any member");
        Assert.Equal(added, anchored.Sum(e => (long)e.Positives.Length) - examples.Sum(e => (long)e.Positives.Length));
        foreach (var (before, after) in examples.Zip(anchored))
        {
            Assert.Equal((before.MemberId, before.Day, before.HardNegatives), (after.MemberId, after.Day, after.HardNegatives));
            if (before.Split != RetrievalSplit.Train)
            {
                Assert.Same(before, after);
                continue;
            }
            Assert.Superset(before.Positives.ToHashSet(), after.Positives.ToHashSet());
            foreach (var job in after.Positives.Except(before.Positives))
            {
                Assert.True(policy.Score(snapshot.Member(after.MemberId), log.Jobs[job]).Overall >= 2);
                Assert.True(log.Jobs[job].PostedDay <= after.Day);
                Assert.DoesNotContain(job, after.HardNegatives);
            }
        }
        // Above the policy's scale nothing is added.
        Assert.Equal(0, PolicyPositives.Add(examples, log, snapshot, policy, threshold: 4.5).Added);
    }

    [Fact]
    public void AnEventOfAJobTheLogDoesNotHoldIsNamed()
    {
        var log = JobLog.Load(world.Directory);
        var error = Assert.Throws<InvalidDataException>(() => JobLog.From(log.Jobs.Values, [new JobEvent(77, 1, 999_999, JobAction.View, 0, 0)], "job_events.jsonl"));
        Assert.Contains("job_events.jsonl: event 77 is of job 999999", error.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => JobLog.Load(Path.Combine(world.Directory, "absent")));
    }
}
