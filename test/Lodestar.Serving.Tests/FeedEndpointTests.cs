// The feed endpoint over real HTTP: what it returns is the ranker's scores of unseen fresh posts with features equal
// to those the training code builds from the world's own log, in score order, with each stage timed; bad ids and
// limits are refused naming the field, unknown members are 404.
using System.Net;
using System.Text.Json;
using Lodestar.Features.FeedRanking;
using Lodestar.Models.FeedRanking;
using Lodestar.Pipelines.Store;
using Lodestar.Text.Prompts;

namespace Lodestar.Serving.Tests;

public sealed class FeedEndpointTests(ServingWorld world) : IClassFixture<ServingWorld>
{
    private long BusiestMember => world.Log.Members.OrderByDescending(m => world.Log.ImpressionsOf(m).Count).ThenBy(m => m).First();

    /// <summary>A member with a history, who has not yet seen most of the world's posts.</summary>
    private long MedianMember => world.Log.Members.OrderBy(m => world.Log.ImpressionsOf(m).Count).ThenBy(m => m).ElementAt(world.Log.Members.Count() / 2);

    private async Task<(JsonElement Body, HttpResponseMessage Response)> Get(string path)
    {
        var response = await world.Client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        return (JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    [Fact]
    public async Task A_feed_is_unseen_fresh_posts_in_score_order_with_every_stage_timed()
    {
        var member = MedianMember;
        var (body, response) = await Get($"/v1/members/{member}/feed?limit=30");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = body.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(30, items.Count);
        var seen = world.Log.ImpressionsOf(member).Select(i => i.PostId).ToHashSet();
        var clock = body.GetProperty("clock").GetInt64();
        var scores = items.Select(i => i.GetProperty("score").GetSingle()).ToList();
        Assert.Equal(scores.OrderByDescending(s => s), scores);
        Assert.Equal(Enumerable.Range(1, 30), items.Select(i => i.GetProperty("rank").GetInt32()));
        foreach (var item in items)
        {
            var post = item.GetProperty("post_id").GetInt64();
            Assert.DoesNotContain(post, seen);
            Assert.True(world.Log.Posts[post].Time >= clock - (14 * 86_400));
            var probabilities = item.GetProperty("probabilities");
            Assert.Equal(FeedTasks.Names, probabilities.EnumerateObject().Select(p => p.Name));
            Assert.All(probabilities.EnumerateObject(), p => Assert.InRange(p.Value.GetSingle(), 0f, 1f));
            Assert.NotEmpty(item.GetProperty("why").EnumerateArray());
        }
        var eligible = world.Log.Posts.Values.Count(p => !seen.Contains(p.Id) && p.Time >= clock - (14 * 86_400));
        Assert.Equal(Math.Min(120, eligible), body.GetProperty("retrieved").GetInt32());
        var timing = string.Join(",", response.Headers.GetValues("Server-Timing"));
        foreach (var stage in new[] { "member;dur=", "retrieve;dur=", "features;dur=", "rank;dur=", "total;dur=" })
        {
            Assert.Contains(stage, timing);
        }
    }

    [Fact]
    public async Task Served_probabilities_equal_the_ranker_on_features_the_training_code_builds_from_the_world()
    {
        var member = BusiestMember;
        var (body, _) = await Get($"/v1/members/{member}/feed?limit=10");
        var clock = body.GetProperty("clock").GetInt64();
        Assert.Equal(Math.Max(world.Log.Posts.Values.Max(p => p.Time), world.Log.Members.SelectMany(world.Log.ImpressionsOf).Max(i => i.Time)), clock);
        var features = new FeedRankingFeatures(world.Log);
        var impressions = world.Log.ImpressionsOf(member);
        var ranker = world.Models.Ranker;
        var history = impressions.TakeLast(ranker.Config.MaxHistory).Select(i => new FeedEvent(features.Post(i.PostId), FeedRankingExamples.ActionSet(i))).ToArray();
        foreach (var item in body.GetProperty("items").EnumerateArray())
        {
            var post = world.Log.Posts[item.GetProperty("post_id").GetInt64()];
            var candidate = features.Post(post.Id);
            var byAuthor = impressions.Where(i => features.Post(i.PostId).Author == candidate.Author).ToList();
            var row = new float[FeedRankingFeatures.Count];
            FeedRankingFeatures.Write(row, world.Log.CountsBefore(post.Id, int.MaxValue), impressions.Count, byAuthor.Count(WorldSnapshot.IsPositive), byAuthor.Count,
                clock - post.Time, position: 0);
            var expected = ranker.Score(history, [candidate], row);
            var served = item.GetProperty("probabilities").EnumerateObject().Select(p => p.Value.GetSingle()).ToArray();
            for (var t = 0; t < FeedTasks.Count; t++)
            {
                Assert.True(Math.Abs(expected[t] - served[t]) < 1e-5, $"post {post.Id}, {FeedTasks.Names[t]}: served {served[t]}, expected {expected[t]}");
            }
        }
    }

    [Fact]
    public async Task A_member_not_embedded_yet_is_embedded_from_the_stored_prompt_and_gets_the_same_feed()
    {
        var member = world.Log.Members.Order().Skip(3).First();
        var (stored, _) = await Get($"/v1/members/{member}/feed?limit=15");
        Assert.False(stored.GetProperty("embedded_now").GetBoolean());
        var vector = world.Host.Reader.Embedding(EntityKind.Member, member)!;
        using (var connection = world.Pipeline.Store.Connect())
        {
            NearlineStore.Execute(connection, $"DELETE FROM embeddings WHERE kind = 0 AND id = {member}");
        }
        try
        {
            var (fresh, _) = await Get($"/v1/members/{member}/feed?limit=15");
            Assert.True(fresh.GetProperty("embedded_now").GetBoolean());
            Assert.Equal(Ids(stored), Ids(fresh));
        }
        finally
        {
            using var connection = world.Pipeline.Store.Connect();
            NearlineStore.Execute(connection, "INSERT INTO embeddings(kind, id, version, vector) VALUES(0, $id, 1, $vector)", null, ("$id", member), ("$vector", NearlineStore.VectorBytes(vector)));
        }
        static long[] Ids(JsonElement feed) => [.. feed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("post_id").GetInt64())];
    }

    [Theory]
    [InlineData("/v1/members/abc/feed", "id")]
    [InlineData("/v1/members/-4/feed", "id")]
    [InlineData("/v1/members/1/feed?limit=0", "limit")]
    [InlineData("/v1/members/1/feed?limit=51", "limit")]
    [InlineData("/v1/members/1/feed?limit=ten", "limit")]
    [InlineData("/v1/members/x1", "id")]
    [InlineData("/v1/posts/1.5", "id")]
    public async Task Bad_ids_and_limits_are_400_problems_naming_the_field(string path, string field)
    {
        var (body, response) = await Get(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(400, body.GetProperty("status").GetInt32());
        Assert.Equal(field, body.GetProperty("field").GetString());
        Assert.Contains(field, body.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("/v1/members/999999999/feed")]
    [InlineData("/v1/members/999999999")]
    [InlineData("/v1/posts/999999999")]
    public async Task Unknown_ids_are_404_problems(string path)
    {
        var (body, response) = await Get(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("999999999", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Health_and_readiness_answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await world.Client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await world.Client.GetAsync("/readyz")).StatusCode);
    }
}
