// The LLM judge end to end against the in-process chat-completions server: correct labels, cache hits
// across instances, retries on 429/5xx/timeouts/garbage, Retry-After, give-up, no retries of the SDK's own, auth
// errors, concurrency.
using System.Diagnostics;
using Lodestar.Data.Schema;
using Lodestar.Policy.Labeling;

namespace Lodestar.Policy.Tests;

public sealed class LlmJudgeTests : IAsyncLifetime
{
    private readonly CompiledPolicy<Member, Job> _policy = PolicyLoader.LoadJobPolicy();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "lodestar-judge-" + Guid.NewGuid().ToString("N"));
    private List<Member> _members = [];
    private List<Job> _jobs = [];
    private ChatCompletionsServer _server = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        (_members, _jobs) = TestPairs.Create(seed: 7, members: 60, jobs: 40);
        _server = await ChatCompletionsServer.StartAsync(_policy, _members, _jobs);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private LlmJudge Judge(string cacheName = "cache.db", int concurrency = 4, int retries = 6, TimeSpan? timeout = null, string keyVariable = "LODESTAR_TEST_NO_KEY") => new(
        new LlmJudgeOptions
        {
            BaseUrl = _server.BaseUrl,
            Model = "test-judge-1",
            CachePath = Path.Combine(_directory, cacheName),
            ApiKeyVariable = keyVariable,
            MaxConcurrency = concurrency,
            MaxRetries = retries,
            RequestTimeout = timeout ?? TimeSpan.FromSeconds(10),
            InitialBackoff = TimeSpan.FromMilliseconds(5),
            MaxBackoff = TimeSpan.FromSeconds(2),
        },
        _policy,
        TestPairs.Render);

    [Fact]
    public async Task JudgeAgreesWithThePolicyAndASecondRunIsServedFromTheCache()
    {
        var pairs = TestPairs.Pairs(_members, _jobs, 24, seed: 1);
        using (var judge = Judge())
        {
            var labels = await Task.WhenAll(pairs.Select(p => judge.LabelAsync(p, CancellationToken.None)));
            for (var i = 0; i < pairs.Count; i++)
            {
                var expected = _policy.Score(pairs[i].Member, pairs[i].Job);
                Assert.Equal(expected.Scores, _policy.Document.Dimensions.Select(d => labels[i].Scores[d.Id]));
                Assert.Equal(expected.Overall, labels[i].Overall, 12);
                Assert.Equal("llm:test-judge-1", labels[i].Annotator);
                Assert.Contains("skills: Skills match", labels[i].Note, StringComparison.Ordinal);
            }
            Assert.Equal(24, _server.Requests);
            Assert.Equal(0, judge.CacheHits);
        }
        using (var again = Judge())
        {
            foreach (var pair in pairs)
            {
                await again.LabelAsync(pair, CancellationToken.None);
            }
            Assert.Equal(24, again.CacheHits);
            Assert.Equal(0, again.Requests);
        }
        Assert.Equal(24, _server.Requests);
    }

    [Fact]
    public async Task TransientFailuresAreRetriedUntilAValidAnswerArrives()
    {
        foreach (var fault in (Fault[])[new RateLimit("0.01"), new ServerError(500), new ServerError(503), new MalformedBody(),
            new MalformedContent("not json"), new MalformedContent("{\"skills\": {\"score\": 9}}"), new MalformedContent("{\"skills\": 2.5}")])
        {
            _server.Faults.Enqueue(fault);
        }
        using var judge = Judge(concurrency: 1, retries: 8);
        var pair = TestPairs.Pairs(_members, _jobs, 1, seed: 2)[0];
        var label = await judge.LabelAsync(pair, CancellationToken.None);
        Assert.Equal(_policy.Score(pair.Member, pair.Job).Overall, label.Overall, 12);
        Assert.Equal(8, _server.Requests);
        Assert.Equal(7, judge.Retries);
        Assert.Equal(1, _server.Answers);
    }

    [Fact]
    public async Task ASlowAnswerTimesOutAndIsRetried()
    {
        // The timeout is long enough that a normal answer on a loaded 2-core machine never reaches it (300 ms did,
        // under a concurrent training run), and the stall far longer, so exactly the stalled attempt times out.
        _server.Faults.Enqueue(new Slow(TimeSpan.FromSeconds(60)));
        using var judge = Judge(timeout: TimeSpan.FromSeconds(2));
        var pair = TestPairs.Pairs(_members, _jobs, 1, seed: 3)[0];
        await judge.LabelAsync(pair, CancellationToken.None);
        Assert.Equal(1, judge.Retries);
        Assert.Equal(2, _server.Requests);
    }

    [Fact]
    public async Task RetryAfterIsHonoured()
    {
        _server.Faults.Enqueue(new RateLimit("1"));
        using var judge = Judge();
        var stopwatch = Stopwatch.StartNew();
        await judge.LabelAsync(TestPairs.Pairs(_members, _jobs, 1, seed: 4)[0], CancellationToken.None);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromSeconds(0.95), $"retried after {stopwatch.Elapsed.TotalSeconds:0.000} s, before Retry-After: 1");
    }

    [Fact]
    public async Task PersistentServerErrorsGiveUpAfterTheRetryBudget()
    {
        for (var i = 0; i < 10; i++)
        {
            _server.Faults.Enqueue(new ServerError(502));
        }
        using var judge = Judge(retries: 2);
        var ex = await Assert.ThrowsAsync<LlmJudgeException>(() => judge.LabelAsync(TestPairs.Pairs(_members, _jobs, 1, seed: 5)[0], CancellationToken.None));
        Assert.Contains("giving up after 3 attempts", ex.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 502: The server had an error", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, _server.Requests);
    }

    [Fact]
    public async Task WithNoRetriesAServerErrorIsOneRequest()
    {
        // The OpenAI SDK retries on its own unless told not to; the resilience pipeline is the only layer that may.
        _server.Faults.Enqueue(new ServerError(500));
        using var judge = Judge(retries: 0);
        var ex = await Assert.ThrowsAsync<LlmJudgeException>(() => judge.LabelAsync(TestPairs.Pairs(_members, _jobs, 1, seed: 8)[0], CancellationToken.None));
        Assert.Contains("giving up after 1 attempts", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, _server.Requests);
        Assert.Equal(0, judge.Retries);
    }

    [Fact]
    public async Task AWrongKeyFailsAtOnceWithTheServersMessage()
    {
        await using var guarded = await ChatCompletionsServer.StartAsync(_policy, _members, _jobs, apiKey: "sk-right");
        Environment.SetEnvironmentVariable("LODESTAR_TEST_WRONG_KEY", "sk-wrong");
        using var judge = new LlmJudge(
            new LlmJudgeOptions { BaseUrl = guarded.BaseUrl, Model = "m", CachePath = Path.Combine(_directory, "k.db"), ApiKeyVariable = "LODESTAR_TEST_WRONG_KEY" },
            _policy, TestPairs.Render);
        var ex = await Assert.ThrowsAsync<LlmJudgeException>(() => judge.LabelAsync(TestPairs.Pairs(_members, _jobs, 1, seed: 6)[0], CancellationToken.None));
        Assert.Contains("HTTP 401: Incorrect API key provided.", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, guarded.Requests);
    }

    [Fact]
    public async Task ConcurrencyNeverExceedsTheLimit()
    {
        _server.AnswerDelay = TimeSpan.FromMilliseconds(40);
        using var judge = Judge(concurrency: 3);
        var pairs = TestPairs.Pairs(_members, _jobs, 18, seed: 7);
        await Task.WhenAll(pairs.Select(p => judge.LabelAsync(p, CancellationToken.None)));
        Assert.Equal(3, _server.MaxInFlight);
    }
}
