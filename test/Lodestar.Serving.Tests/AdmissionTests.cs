// Behaviour under more requests than slots, made deterministic by a slow client: an event batch whose body arrives in
// two parts holds the only slot while the server waits for the rest. Meanwhile a request finds no slot and no queue
// and is shed with 429 and Retry-After; or it queues, and when the slot frees after its deadline it is answered 503
// with Retry-After without being computed. Liveness is never queued behind them.
using System.Net;
using System.Text;
using System.Text.Json;
using Lodestar.Pipelines.Events;
using Lodestar.Serving.Http;

namespace Lodestar.Serving.Tests;

public sealed class AdmissionTests(ServingWorld world) : IClassFixture<ServingWorld>
{
    /// <summary>
    /// Starts an event batch from a raw socket whose body stops half-way; it holds a slot until <c>Finish</c> sends the
    /// rest and returns the status line.
    /// </summary>
    private async Task<Func<Task<string>>> HoldASlot(ServingHost host)
    {
        var body = Encoding.UTF8.GetBytes(NearlineEvent.Shown(world.Log.ImpressionsOf(world.Log.Members.Order().First())[0]).ToJson() + "\n");
        var address = new Uri(host.Addresses[0]);
        var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(address.Host, address.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /v1/events HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: application/x-ndjson\r\nContent-Length: {body.Length}\r\n\r\n"));
        await stream.WriteAsync(body.AsMemory(0, 10));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (host.InFlight == 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "the held request never took its slot");
            await Task.Delay(5);
        }
        return async () =>
        {
            await stream.WriteAsync(body.AsMemory(10));
            using var reader = new StreamReader(stream);
            var status = await reader.ReadLineAsync() ?? "";
            socket.Dispose();
            return status;
        };
    }

    [Fact]
    public async Task With_the_only_slot_busy_and_no_queue_a_request_is_shed_with_429()
    {
        var (host, client) = await world.StartHost(new ServingOptions { Retrieve = 120, MaxLimit = 50, MaxConcurrentRequests = 1, QueuedRequests = 0 });
        await using (host)
        using (client)
        {
            var finish = await HoldASlot(host);
            var shed = await client.GetAsync($"/v1/members/{world.Log.Members.Order().First()}/feed");
            Assert.Equal(HttpStatusCode.TooManyRequests, shed.StatusCode);
            Assert.Equal("1", shed.Headers.GetValues("Retry-After").Single());
            Assert.Equal(429, JsonDocument.Parse(await shed.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetInt32());
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
            Assert.Equal("HTTP/1.1 202 Accepted", await finish());
            // The held request's slot is given back when its pipeline completes, a moment after its answer reaches the
            // client: until then a request may still be shed; after it, one is served.
            var again = System.Diagnostics.Stopwatch.StartNew();
            HttpStatusCode status;
            while ((status = (await client.GetAsync($"/v1/members/{world.Log.Members.Order().First()}/feed")).StatusCode) == HttpStatusCode.TooManyRequests
                && again.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(10);
            }
            Assert.Equal(HttpStatusCode.OK, status);
            var metrics = await client.GetStringAsync("/metrics");
            Assert.Contains(metrics.Split('\n'), l => l.StartsWith("lodestar_requests_shed_total{", StringComparison.Ordinal) && l.Contains("reason=\"queue_full\"", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_request_whose_deadline_passed_in_the_queue_is_answered_503_without_being_computed()
    {
        var (host, client) = await world.StartHost(new ServingOptions { Retrieve = 120, MaxLimit = 50, MaxConcurrentRequests = 1, QueuedRequests = 8, DeadlineMilliseconds = 100 });
        await using (host)
        using (client)
        {
            var finish = await HoldASlot(host);
            var queued = client.GetAsync($"/v1/members/{world.Log.Members.Order().First()}/feed");
            await Task.Delay(300);
            Assert.False(queued.IsCompleted);
            var held = finish();
            var late = await queued;
            Assert.Equal(HttpStatusCode.ServiceUnavailable, late.StatusCode);
            Assert.Equal("1", late.Headers.GetValues("Retry-After").Single());
            Assert.False(late.Headers.Contains("Server-Timing"));
            Assert.Contains("deadline", JsonDocument.Parse(await late.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
            Assert.Equal("HTTP/1.1 202 Accepted", await held);
        }
    }

    [Fact]
    public async Task The_jobs_endpoint_waits_out_its_own_longer_deadline_where_a_feed_request_is_answered_503()
    {
        var (host, client) = await world.StartHost(new ServingOptions
        {
            Retrieve = 120, MaxLimit = 50, MaxConcurrentRequests = 1, QueuedRequests = 8, DeadlineMilliseconds = 100, JobsDeadlineMilliseconds = 30_000,
        });
        await using (host)
        using (client)
        {
            var member = world.Log.Members.Order().First();
            var finish = await HoldASlot(host);
            var feed = client.GetAsync($"/v1/members/{member}/feed");
            var jobs = client.GetAsync($"/v1/members/{member}/jobs");
            await Task.Delay(300);
            Assert.False(feed.IsCompleted || jobs.IsCompleted);
            Assert.Equal("HTTP/1.1 202 Accepted", await finish());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await feed).StatusCode);
            var answered = await jobs;
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
            Assert.Contains("score", answered.Headers.GetValues("Server-Timing").Single(), StringComparison.Ordinal);
        }
    }
}
