// /metrics speaks Prometheus's text format with the service's own series (stage latencies, queue depths, index size)
// beside ASP.NET Core's request durations by route; /openapi/v1.json documents every /v1 endpoint with its problems.
using System.Net;
using System.Text.Json;

namespace Lodestar.Serving.Tests;

public sealed class MetricsAndOpenApiTests(ServingWorld world) : IClassFixture<ServingWorld>
{
    [Fact]
    public async Task Metrics_report_stage_latencies_request_durations_by_route_queues_and_the_index()
    {
        var member = world.Log.Members.Order().First();
        for (var i = 0; i < 3; i++)
        {
            (await world.Client.GetAsync($"/v1/members/{member}/feed")).EnsureSuccessStatusCode();
        }
        var response = await world.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var lines = text.Split('\n');
        foreach (var stage in new[] { "member", "retrieve", "features", "rank", "total" })
        {
            var count = lines.Single(l => l.StartsWith("lodestar_request_stage_duration_milliseconds_count{", StringComparison.Ordinal)
                && l.Contains("endpoint=\"feed\"", StringComparison.Ordinal) && l.Contains($"stage=\"{stage}\"", StringComparison.Ordinal));
            Assert.Equal(3, long.Parse(count.Split(' ')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.Contains(lines, l => l.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal) && l.Contains("http_route=\"/v1/members/{id}/feed\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("lodestar_nearline_queue_depth{", StringComparison.Ordinal) && l.Contains("queue=\"events\"", StringComparison.Ordinal));
        var posts = lines.Single(l => l.StartsWith("lodestar_index_posts", StringComparison.Ordinal) && !l.StartsWith('#'));
        Assert.Equal(world.Pipeline.Index.Index.Count, int.Parse(posts.Split(' ')[^1].Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task The_openapi_document_lists_every_v1_endpoint_with_its_answers_and_problems()
    {
        var response = await world.Client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("paths");
        var feed = paths.GetProperty("/v1/members/{id}/feed").GetProperty("get");
        Assert.Equal("GetFeed", feed.GetProperty("operationId").GetString());
        Assert.Equal(["200", "400", "404", "429", "503"], feed.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
        var jobs = paths.GetProperty("/v1/members/{id}/jobs").GetProperty("get");
        Assert.Equal("GetJobs", jobs.GetProperty("operationId").GetString());
        Assert.Equal(["200", "400", "404", "429", "503"], jobs.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
        Assert.True(paths.GetProperty("/v1/events").TryGetProperty("post", out _));
        Assert.True(paths.GetProperty("/v1/members/{id}").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/v1/posts/{id}").TryGetProperty("get", out _));
    }
}
