// POST /v1/events over real HTTP: an accepted batch is durable (202 with its log position), applied by the in-process
// pipeline, visible through the member, post and feed endpoints and on the service's clock; a redelivered batch counts
// once; a bad line, an oversized body, too many events or none at all refuse the whole batch naming why.
using System.Net;
using System.Text;
using System.Text.Json;
using Lodestar.Pipelines.Events;

namespace Lodestar.Serving.Tests;

public sealed class EventEndpointTests(ServingWorld world) : IClassFixture<ServingWorld>
{
    private async Task<(JsonElement Body, HttpResponseMessage Response)> Post(string body)
    {
        var response = await world.Client.PostAsync("/v1/events", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
        var text = await response.Content.ReadAsStringAsync();
        return (text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    private async Task<JsonElement> Get(string path)
    {
        var response = await world.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private string NewMemberPostAndImpression(long time, int day)
    {
        var template = world.Snapshot.Members.Values.OrderBy(m => m.Id).First();
        var post = world.Log.Posts.Values.OrderBy(p => p.Id).First();
        var impression = world.Log.ImpressionsOf(world.Log.Members.Order().First())[0];
        return string.Join("\n",
            NearlineEvent.Joined(template with { Id = 900_001 }, time, day).ToJson(),
            NearlineEvent.Created(post with { Id = 900_002, AuthorMemberId = 900_001, AuthorCompanyId = null, Time = time + 1, Day = day }).ToJson(),
            NearlineEvent.Shown(impression with { Id = 900_003, MemberId = 900_001, PostId = post.Id, Time = time + 2, Day = day, Like = true }).ToJson()) + "\n";
    }

    [Fact]
    public async Task An_accepted_batch_is_applied_once_and_seen_by_every_endpoint_even_when_delivered_twice()
    {
        var time = world.Host.Clock.Now + 60;
        var day = world.Log.LastDay;
        var batch = NewMemberPostAndImpression(time, day);
        var shownPost = world.Log.Posts.Values.OrderBy(p => p.Id).First().Id;
        var before = (await Get($"/v1/posts/{shownPost}")).GetProperty("post").GetProperty("counts").GetProperty("impressions").GetInt64();

        var (accepted, response) = await Post(batch);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(3, accepted.GetProperty("accepted").GetInt32());
        Assert.True(accepted.GetProperty("last_seq").GetInt64() > 0);
        Assert.Equal(time + 2, world.Host.Clock.Now);
        world.Pipeline.Drain();

        var member = await Get("/v1/members/900001");
        Assert.Equal(1, member.GetProperty("impressions").GetInt32());
        Assert.Equal(["like"], member.GetProperty("history")[0].GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        var post = await Get("/v1/posts/900002");
        Assert.True(post.GetProperty("indexed").GetBoolean());
        Assert.Equal(1.0 / 3600, post.GetProperty("post").GetProperty("hours_old").GetDouble(), 1);
        var feed = await Get("/v1/members/900001/feed?limit=50");
        Assert.False(feed.GetProperty("embedded_now").GetBoolean());
        Assert.DoesNotContain(shownPost, feed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("post_id").GetInt64()));

        (_, response) = await Post(batch);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        world.Pipeline.Drain();
        Assert.Equal(before + 1, (await Get($"/v1/posts/{shownPost}")).GetProperty("post").GetProperty("counts").GetProperty("impressions").GetInt64());
        Assert.Equal(1, (await Get("/v1/members/900001")).GetProperty("impressions").GetInt32());
    }

    [Fact]
    public async Task A_bad_line_refuses_the_whole_batch_naming_the_line_and_field()
    {
        var appended = world.Pipeline.Status().Appended;
        var good = NearlineEvent.Shown(world.Log.ImpressionsOf(world.Log.Members.Order().First())[0] with { Id = 910_000 }).ToJson();
        var (body, response) = await Post(good + "\n" + """{"id":"impression:910001","kind":"impression","day":3}""" + "\n");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("body", body.GetProperty("field").GetString());
        Assert.Equal(2, body.GetProperty("line").GetInt32());
        Assert.Contains("\"time\"", body.GetProperty("detail").GetString());
        (body, response) = await Post(good + "\n{not json\n");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(2, body.GetProperty("line").GetInt32());
        Assert.Equal(appended, world.Pipeline.Status().Appended);
    }

    [Fact]
    public async Task Oversized_crowded_and_empty_bodies_are_refused_naming_the_body()
    {
        var appended = world.Pipeline.Status().Appended;
        var line = NearlineEvent.Shown(world.Log.ImpressionsOf(world.Log.Members.Order().First())[0]).ToJson();
        var (body, response) = await Post(new string(' ', (1 << 20) + 1));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("larger than", body.GetProperty("detail").GetString());
        (body, response) = await Post(string.Join("\n", Enumerable.Repeat(line, 1001)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("more than 1000 events", body.GetProperty("detail").GetString());
        (body, response) = await Post("\n\n");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("body", body.GetProperty("field").GetString());
        Assert.Equal(appended, world.Pipeline.Status().Appended);
    }
}
