// Synthetic expansion: the pair plan is deterministic and holds the hard pairs it claims, and a labeling
// run cancelled half-way resumes without labeling (or paying for) any pair twice.
using Lodestar.Core.Progress;
using Lodestar.Data.Schema;
using Lodestar.Policy.Expressions;
using Lodestar.Policy.Labeling;
using Lodestar.Policy.Synthesis;

namespace Lodestar.Policy.Tests;

public sealed class ExpansionTests : IDisposable
{
    private static readonly CompiledPolicy<Member, Job> Policy = PolicyLoader.LoadJobPolicy();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "lodestar-expand-" + Guid.NewGuid().ToString("N"));

    public ExpansionTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void PlanIsDeterministicDistinctAndHonoursEveryStrategy()
    {
        var (members, jobs) = TestPairs.Create(seed: 21, members: 400, jobs: 150);
        var exclude = TestPairs.Pairs(members, jobs, 200, seed: 5).Select(p => p.Key).ToHashSet();
        var config = new SamplerConfig { Pairs = 1000, Seed = 9 };
        var plan = PairSampler.Plan(members, jobs, Policy, config, exclude);
        var again = PairSampler.Plan(members, jobs, Policy, config, exclude);
        Assert.Equal(plan.Select(p => (p.Pair.Key, p.Strategy)), again.Select(p => (p.Pair.Key, p.Strategy)));
        Assert.Equal(1000, plan.Select(p => p.Pair.Key).Distinct().Count());
        Assert.DoesNotContain(plan, p => exclude.Contains(p.Pair.Key));
        var byStrategy = plan.GroupBy(p => p.Strategy).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(150, byStrategy[PairSampler.HardTitle].Count);
        Assert.Equal(150, byStrategy[PairSampler.HardPlace].Count);
        Assert.Equal(300, byStrategy[PairSampler.Boundary].Count);
        Assert.Equal(400, byStrategy[PairSampler.Random].Count);
        Assert.All(byStrategy[PairSampler.HardTitle], p =>
        {
            Assert.Equal(p.Pair.Member.OccupationId, p.Pair.Job.OccupationId);
            Assert.True(Math.Abs((int)p.Pair.Member.Seniority - (int)p.Pair.Job.Seniority) >= 2);
        });
        Assert.All(byStrategy[PairSampler.HardPlace], p =>
        {
            Assert.True(PolicyFunctions.Overlap(p.Pair.Member.Skills, p.Pair.Job.RequiredSkills) >= 0.5);
            Assert.True(Policy.Score(p.Pair.Member, p.Pair.Job).Scores[Policy.Document.IndexOf("location_remote")] <= 2);
        });
        Assert.All(byStrategy[PairSampler.Boundary], p =>
            Assert.Contains(config.Boundaries, b => Math.Abs(Policy.Score(p.Pair.Member, p.Pair.Job).Overall - b) <= config.BoundaryWidth));
        var otherSeed = PairSampler.Plan(members, jobs, Policy, config with { Seed = 10 }, exclude);
        Assert.NotEqual(plan.Select(p => p.Pair.Key), otherSeed.Select(p => p.Pair.Key));
    }

    [Fact]
    public async Task ACancelledRunResumesAndLabelsNothingTwice()
    {
        var (members, jobs) = TestPairs.Create(seed: 22, members: 100, jobs: 60);
        var plan = PairSampler.Plan(members, jobs, Policy, new SamplerConfig { Pairs = 80, Seed = 3 });
        await using var server = await ChatCompletionsServer.StartAsync(Policy, members, jobs);
        server.AnswerDelay = TimeSpan.FromMilliseconds(15);
        var checkpoint = Path.Combine(_directory, "train.jsonl.partial.jsonl");
        var options = new LlmJudgeOptions { BaseUrl = server.BaseUrl, Model = "m", CachePath = Path.Combine(_directory, "cache.db"), ApiKeyVariable = "LODESTAR_TEST_NO_KEY" };

        using (var cancel = new CancellationTokenSource())
        using (var judge = new LlmJudge(options, Policy, TestPairs.Render))
        {
            var progress = new CancelAt(30, cancel);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                Expander.RunAsync(plan, judge, Policy.Document.VersionKey, checkpoint, concurrency: 4, checkpointEvery: 5, progress, cancel.Token));
        }
        var afterKill = Expander.ReadCheckpoint(checkpoint);
        Assert.InRange(afterKill.Count, 30, 40);
        Assert.Equal(afterKill.Count, server.Answers);
        Assert.Equal(afterKill.Count, afterKill.Select(l => l.Pair).Distinct().Count());

        // A crash mid-write leaves a torn last line; resuming cuts it off.
        await File.AppendAllTextAsync(checkpoint, "{\"pair\":{\"member_id\":1");
        using (var judge = new LlmJudge(options, Policy, TestPairs.Render))
        {
            var report = await Expander.RunAsync(plan, judge, Policy.Document.VersionKey, checkpoint, concurrency: 4, checkpointEvery: 5, null, CancellationToken.None);
            Assert.Equal(afterKill.Count, report.Resumed);
            Assert.Equal(80 - afterKill.Count, report.Labeled);
            Assert.Equal(0, judge.CacheHits);
        }
        var labels = Expander.ReadCheckpoint(checkpoint);
        Assert.Equal(80, labels.Count);
        Assert.Equal(80, labels.Select(l => l.Pair).Distinct().Count());
        Assert.Equal(80, server.Answers);
        Assert.Equal(80, server.Requests);
        Assert.All(labels, l => Assert.Equal(Policy.Document.VersionKey, l.PolicyVersion));

        // Labels from another policy version never count as done, nor enter the training set.
        var stale = labels[0] with { PolicyVersion = "job-matching@0.9.0#000000000000" };
        var other = Path.Combine(_directory, "other.partial.jsonl");
        await File.WriteAllTextAsync(other, LabelFile.ToJson(stale with { Annotator = "policy-scorer" }) + "\n");
        var rerun = await Expander.RunAsync(plan, new PolicyScorerLabeler(Policy), Policy.Document.VersionKey, other, 2, 10, null, CancellationToken.None);
        Assert.Equal(0, rerun.Resumed);
        Assert.Equal(80, rerun.Labeled);

        var output = Path.Combine(_directory, "train.jsonl");
        var manifest = TrainingSet.Write(output, plan, labels.Concat(labels.Take(5)).Append(stale).ToList(), Policy.Document.VersionKey, "llm:m", new SamplerConfig { Pairs = 80, Seed = 3 }, "test");
        Assert.Equal(80, manifest.Pairs);
        Assert.Equal(5, manifest.DuplicatesDropped);
        Assert.Equal(plan.Select(p => p.Pair.Key), LabelFile.Read(output, Policy.Document).Select(l => l.Pair));
        Assert.True(File.Exists(output + ".manifest.json"));
    }

    /// <summary>Labels its first <paramref name="good"/> pairs with the policy scorer, then fails every call as a dead endpoint does.</summary>
    private sealed class FailingLabeler(CompiledPolicy<Member, Job> policy, int good) : IPairLabeler
    {
        private readonly PolicyScorerLabeler _scorer = new(policy);
        private int _calls;

        public string Name => "failing";

        public async Task<LabeledPair> LabelAsync(MatchPair pair, CancellationToken cancellationToken)
        {
            await Task.Yield();
            return Interlocked.Increment(ref _calls) <= good
                ? _scorer.Label(pair) with { Annotator = Name }
                : throw new HttpRequestException("connection refused (127.0.0.1:9)");
        }
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 3)]
    [InlineData(4, 7)]
    public async Task AFailingLabelerStopsTheRunWithItsErrorKeepingTheLabelsBeforeIt(int concurrency, int good)
    {
        var (members, jobs) = TestPairs.Create(seed: 29, members: 40, jobs: 30);
        var plan = PairSampler.Plan(members, jobs, Policy, new SamplerConfig { Pairs = 30, Seed = 5 });
        var checkpoint = Path.Combine(_directory, $"failing-{concurrency}.partial.jsonl");
        var run = Expander.RunAsync(plan, new FailingLabeler(Policy, good), Policy.Document.VersionKey, checkpoint, concurrency, checkpointEvery: 1, null, CancellationToken.None);
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("connection refused", error.Message, StringComparison.Ordinal);
        Assert.Equal(good, Expander.ReadCheckpoint(checkpoint).Count);
    }

    [Theory]
    [InlineData("garbage", null)]
    [InlineData("{\"pair\":{\"member_id\":\"one\",\"job_id\":2}}", "pair.member_id")]
    [InlineData("{\"overall\":2}", "scores")]
    public void AWholeLineThatIsNotALabelIsRefusedNamingTheFileAndLine(string line, string? field)
    {
        var checkpoint = Path.Combine(_directory, "bad.partial.jsonl");
        var good = LabelFile.ToJson(new LabeledPair(new PairKey(1, 2), new Dictionary<string, int> { ["skills"] = 3 }, 2.5, "policy-scorer"));
        File.WriteAllText(checkpoint, good + "\n" + line + "\n" + good + "\n");
        var error = Assert.Throws<Lodestar.Data.Storage.DataFormatException>(() => Expander.ReadCheckpoint(checkpoint));
        Assert.Equal((checkpoint, 2L, field), (error.File, error.Line, error.Field));
        Assert.StartsWith($"{checkpoint}:2:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LabelsWrittenBeforeACrashAreNotPaidForAgainThanksToTheCache()
    {
        var (members, jobs) = TestPairs.Create(seed: 23, members: 50, jobs: 30);
        var plan = PairSampler.Plan(members, jobs, Policy, new SamplerConfig { Pairs = 20, Seed = 4 });
        await using var server = await ChatCompletionsServer.StartAsync(Policy, members, jobs);
        var options = new LlmJudgeOptions { BaseUrl = server.BaseUrl, Model = "m", CachePath = Path.Combine(_directory, "cache.db"), ApiKeyVariable = "LODESTAR_TEST_NO_KEY" };
        var checkpoint = Path.Combine(_directory, "a.partial.jsonl");
        using (var judge = new LlmJudge(options, Policy, TestPairs.Render))
        {
            await Expander.RunAsync(plan, judge, Policy.Document.VersionKey, checkpoint, 2, 1, null, CancellationToken.None);
        }
        // The checkpoint is lost (as if the process died before its last fsync); the cache still holds every answer.
        File.Delete(checkpoint);
        using (var judge = new LlmJudge(options, Policy, TestPairs.Render))
        {
            var report = await Expander.RunAsync(plan, judge, Policy.Document.VersionKey, checkpoint, 2, 1, null, CancellationToken.None);
            Assert.Equal(20, report.Labeled);
            Assert.Equal(20, judge.CacheHits);
        }
        Assert.Equal(20, server.Requests);
    }

    private sealed class CancelAt(int count, CancellationTokenSource cancel) : IProgressReporter
    {
        public void Start(string stage, long total)
        {
        }

        public void Report(long done, string? detail = null)
        {
            if (done >= count)
            {
                cancel.Cancel();
            }
        }

        public void Line(string text)
        {
        }
    }
}
