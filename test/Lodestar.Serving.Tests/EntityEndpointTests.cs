// The member and post endpoints against the world they were replayed from: the stored profile, the history newest
// first with its actions, a post's counters equal to the world's impressions of it, and whether the index holds it.
using System.Text.Json;
using Lodestar.Features.FeedRanking;
using Lodestar.Models.FeedRanking;
using Lodestar.Text.Prompts;

namespace Lodestar.Serving.Tests;

public sealed class EntityEndpointTests(ServingWorld world) : IClassFixture<ServingWorld>
{
    private async Task<JsonElement> Get(string path)
    {
        var response = await world.Client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task A_member_shows_the_profile_the_totals_and_the_newest_impressions_with_their_actions()
    {
        var member = world.Log.Members.OrderByDescending(m => world.Log.ImpressionsOf(m).Count).First();
        var body = await Get($"/v1/members/{member}");
        var impressions = world.Log.ImpressionsOf(member);
        Assert.Equal(member, body.GetProperty("profile").GetProperty("id").GetInt64());
        Assert.Equal(world.Snapshot.Members[member].Headline, body.GetProperty("profile").GetProperty("headline").GetString());
        Assert.Equal(impressions.Count, body.GetProperty("impressions").GetInt32());
        Assert.Equal(impressions.Count(WorldSnapshot.IsPositive), body.GetProperty("engagements").GetInt32());
        var listed = body.GetProperty("history").EnumerateArray().ToList();
        var newest = impressions.Reverse().Take(20).ToList();
        Assert.Equal(newest.Select(i => i.Id), listed.Select(h => h.GetProperty("impression_id").GetInt64()));
        for (var i = 0; i < newest.Count; i++)
        {
            var actions = FeedRankingExamples.ActionSet(newest[i]);
            Assert.Equal(Enumerable.Range(0, FeedTasks.Count).Where(t => FeedTasks.Has(actions, t)).Select(t => FeedTasks.Names[t]),
                listed[i].GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        }
        Assert.True(body.GetProperty("prompt").GetProperty("embedding_version").GetInt32() >= 1);
    }

    [Fact]
    public async Task A_post_shows_its_counters_as_the_world_counts_them_and_that_the_index_holds_it()
    {
        var post = world.Log.Posts.Values.OrderByDescending(p => world.Log.CountsBefore(p.Id, int.MaxValue).Impressions).First();
        var body = await Get($"/v1/posts/{post.Id}");
        var counts = world.Log.CountsBefore(post.Id, int.MaxValue);
        var served = body.GetProperty("post").GetProperty("counts");
        Assert.Equal(counts.Impressions, served.GetProperty("impressions").GetInt64());
        Assert.Equal(counts.Clicks, served.GetProperty("clicks").GetInt64());
        Assert.Equal(counts.Likes, served.GetProperty("likes").GetInt64());
        Assert.Equal(counts.Shares, served.GetProperty("shares").GetInt64());
        Assert.Equal(post.Text, body.GetProperty("post").GetProperty("text").GetString());
        Assert.False(body.GetProperty("deleted").GetBoolean());
        Assert.True(body.GetProperty("indexed").GetBoolean());
    }

    [Fact]
    public async Task Members_are_listed_by_id_a_page_at_a_time()
    {
        var ids = world.Snapshot.Members.Keys.Order().ToList();
        var first = await Get("/v1/members?limit=5");
        Assert.Equal(ids.Take(5), first.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("id").GetInt64()));
        Assert.Equal(world.Snapshot.Members[ids[0]].Headline, first.GetProperty("members")[0].GetProperty("headline").GetString());
        var next = first.GetProperty("next").GetInt64();
        var second = await Get($"/v1/members?limit=5&after={next}");
        Assert.Equal(ids.Skip(5).Take(5), second.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("id").GetInt64()));
        var last = await Get($"/v1/members?limit=50&after={ids[^3]}");
        Assert.Equal(2, last.GetProperty("members").GetArrayLength());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, last.GetProperty("next").ValueKind);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await world.Client.GetAsync("/v1/members?after=x")).StatusCode);
    }
}
