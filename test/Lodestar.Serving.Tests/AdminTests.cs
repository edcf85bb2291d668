// The operator endpoints over real HTTP: refused without the key or with a wrong one; a reload swaps in a new feed
// ranker and job student while feed and jobs requests keep flowing (none fails, and the answers change to the new models'); a reload that
// would change the retrieval encoder is refused and leaves the set in service; a drain takes the server out of
// readiness and refuses /v1 requests until undone.
using System.Net;
using System.Text.Json;

namespace Lodestar.Serving.Tests;

public sealed class AdminTests(ServingWorld world) : IClassFixture<ServingWorld>
{
    private const string Key = "0123456789abcdef-test-key";

    private static HttpRequestMessage Admin(HttpMethod method, string path, string? key = Key)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }
        return request;
    }

    private static async Task<float[]> FirstItemProbabilities(HttpClient client, long member)
    {
        var body = JsonDocument.Parse(await client.GetStringAsync($"/v1/members/{member}/feed?limit=1")).RootElement;
        return [.. body.GetProperty("items")[0].GetProperty("probabilities").EnumerateObject().Select(p => p.Value.GetSingle())];
    }

    private static async Task<float> FirstJobOverall(HttpClient client, long member)
    {
        var body = JsonDocument.Parse(await client.GetStringAsync($"/v1/members/{member}/jobs?limit=1")).RootElement;
        return body.GetProperty("jobs")[0].GetProperty("overall").GetSingle();
    }

    [Fact]
    public async Task Admin_endpoints_need_the_key()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await world.Client.SendAsync(Admin(HttpMethod.Post, "/admin/reload"))).StatusCode);
        var (host, client) = await world.StartHost(new ServingOptions { Retrieve = 120, MaxLimit = 50, AdminKey = Key });
        await using (host)
        using (client)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Admin(HttpMethod.Post, "/admin/reload", key: null))).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Admin(HttpMethod.Post, "/admin/drain", key: Key + "x"))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Admin(HttpMethod.Post, "/admin/reload"))).StatusCode);
        }
    }

    [Fact]
    public async Task A_reload_swaps_the_ranker_and_student_while_requests_flow_and_none_fails()
    {
        var other = Path.Combine(world.Directory, "models-other-ranker");
        world.WriteModels(other, encoderSeed: 3, rankerSeed: 6, studentSeed: 8);
        var (host, client) = await world.StartHost(new ServingOptions { Retrieve = 120, MaxLimit = 50, AdminKey = Key, QueuedRequests = 1000 });
        await using (host)
        using (client)
        {
            var member = world.Log.Members.Order().First();
            var before = await FirstItemProbabilities(client, member);
            var jobBefore = await FirstJobOverall(client, member);
            using var stop = new CancellationTokenSource();
            var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
            var load = new[] { "feed", "jobs" }.Select(endpoint => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    statuses.Add((await client.GetAsync($"/v1/members/{member}/{endpoint}")).StatusCode);
                }
            })).ToArray();
            foreach (var models in new[] { other, world.ModelsDirectory, other, world.ModelsDirectory, other })
            {
                var response = await client.SendAsync(Admin(HttpMethod.Post, $"/admin/reload?models={Uri.EscapeDataString(models)}"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(models, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("models").GetString());
            }
            await stop.CancelAsync();
            await Task.WhenAll(load);
            Assert.NotEmpty(statuses);
            Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
            Assert.Equal(other, host.Models.Current.Directory);
            Assert.NotEqual(before, await FirstItemProbabilities(client, member));
            Assert.NotEqual(jobBefore, await FirstJobOverall(client, member));
        }
    }

    [Fact]
    public async Task A_reload_that_would_change_the_retrieval_encoder_is_refused_and_changes_nothing()
    {
        var other = Path.Combine(world.Directory, "models-other-encoder");
        world.WriteModels(other, encoderSeed: 4, rankerSeed: 6);
        var (host, client) = await world.StartHost(new ServingOptions { Retrieve = 120, MaxLimit = 50, AdminKey = Key });
        await using (host)
        using (client)
        {
            var inService = host.Models.Current;
            var response = await client.SendAsync(Admin(HttpMethod.Post, $"/admin/reload?models={Uri.EscapeDataString(other)}"));
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Contains("retrieval encoder", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
            Assert.Same(inService, host.Models.Current);
            response = await client.SendAsync(Admin(HttpMethod.Post, $"/admin/reload?models={Uri.EscapeDataString(Path.Combine(world.Directory, "nowhere"))}"));
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Same(inService, host.Models.Current);
        }
    }

    [Fact]
    public async Task A_drain_leaves_readiness_and_refuses_requests_until_undone()
    {
        var (host, client) = await world.StartHost(new ServingOptions { Retrieve = 120, MaxLimit = 50, AdminKey = Key });
        await using (host)
        using (client)
        {
            var member = world.Log.Members.Order().First();
            var drained = await client.SendAsync(Admin(HttpMethod.Post, "/admin/drain"));
            Assert.Equal(HttpStatusCode.OK, drained.StatusCode);
            Assert.True(JsonDocument.Parse(await drained.Content.ReadAsStringAsync()).RootElement.GetProperty("draining").GetBoolean());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/readyz")).StatusCode);
            var refused = await client.GetAsync($"/v1/members/{member}/feed");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Admin(HttpMethod.Delete, "/admin/drain"))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v1/members/{member}/feed")).StatusCode);
        }
    }
}
