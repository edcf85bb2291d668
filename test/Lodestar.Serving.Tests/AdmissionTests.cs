// Behaviour under more requests than slots: with one slot and no queue, simultaneous requests are either answered or
// shed with 429 and Retry-After, never failed; with a deadline shorter than the wait for a slot, the late ones are
// answered 503 with Retry-After without being computed. Liveness and readiness are never queued behind them.
using System.Net;
using System.Text.Json;

namespace Lodestar.Serving.Tests;

public sealed class AdmissionTests(ServingWorld world) : IClassFixture<ServingWorld>
{
    private const int Simultaneous = 48;

    private async Task<List<HttpResponseMessage>> Burst(HttpClient client)
    {
        var members = world.Log.Members.Order().Take(Simultaneous).ToList();
        return [.. await Task.WhenAll(members.Select(m => client.GetAsync($"/v1/members/{m}/feed")))];
    }

    [Fact]
    public async Task With_every_slot_busy_and_no_queue_requests_are_answered_or_shed_with_429()
    {
        var (host, client) = await world.StartHost(new ServingOptions { Retrieve = 120, MaxLimit = 50, MaxConcurrentRequests = 1, QueuedRequests = 0 });
        await using (host)
        using (client)
        {
            var responses = await Burst(client);
            Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
            Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
            var shed = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
            Assert.NotEmpty(shed);
            Assert.All(shed, r => Assert.Equal("1", r.Headers.GetValues("Retry-After").Single()));
            var problem = JsonDocument.Parse(await shed[0].Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(429, problem.GetProperty("status").GetInt32());
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
            var metrics = await client.GetStringAsync("/metrics");
            Assert.Contains(metrics.Split('\n'), l => l.StartsWith("lodestar_requests_shed_total{", StringComparison.Ordinal) && l.Contains("reason=\"queue_full\"", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_request_whose_deadline_passed_in_the_queue_is_answered_503_without_being_computed()
    {
        var (host, client) = await world.StartHost(new ServingOptions { Retrieve = 120, MaxLimit = 50, MaxConcurrentRequests = 1, QueuedRequests = 1000, DeadlineMilliseconds = 1 });
        await using (host)
        using (client)
        {
            var responses = await Burst(client);
            Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
            var late = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
            Assert.NotEmpty(late);
            Assert.All(late, r => Assert.Equal("1", r.Headers.GetValues("Retry-After").Single()));
            Assert.All(late, r => Assert.False(r.Headers.Contains("Server-Timing")));
            var problem = JsonDocument.Parse(await late[0].Content.ReadAsStringAsync()).RootElement;
            Assert.Contains("deadline", problem.GetProperty("detail").GetString());
        }
    }
}
