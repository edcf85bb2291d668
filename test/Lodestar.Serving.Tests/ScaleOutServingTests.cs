// Two servers of the scale-out deployment on one real redis-server: each runs a prompt worker (one holds the lease),
// an embedding worker and its own index replica. A post created through one server is returned in a member's feed
// from the other within the nearline freshness bound (new posts searchable within 2 s, p99), and both servers read
// the same state, on the same clock.
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Lodestar.Features.Retrieval;
using Lodestar.Index;
using Lodestar.Models.Bert;
using Lodestar.Pipelines.Embedded;
using Lodestar.Pipelines.Events;
using Lodestar.Pipelines.ScaleOut;
using Lodestar.Serving.Http;
using Lodestar.TestSupport;
using Xunit.Abstractions;

namespace Lodestar.Serving.Tests;

public sealed class ScaleOutServingTests(ServingWorld world, RedisServer redis, ITestOutputHelper output) : IClassFixture<ServingWorld>, IClassFixture<RedisServer>
{
    private static readonly TimeSpan FreshnessBound = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_post_created_through_one_server_is_in_a_feed_from_the_other_within_the_freshness_bound()
    {
        var names = new RedisNames($"serve-test:{Guid.NewGuid():N}:");
        var database = redis.Connection.GetDatabase();
        var retrieval = world.Models.Retrieval;
        var prompts = retrieval.Settings.Prompts(world.Snapshot, world.Log, retrieval.Tokenizer);
        var channels = retrieval.Model.Config.Channels;
        using var indexA = DurableIndex.Open(Path.Combine(world.Directory, $"replica-a-{Guid.NewGuid():N}"), channels);
        using var indexB = DurableIndex.Open(Path.Combine(world.Directory, $"replica-b-{Guid.NewGuid():N}"), channels);
        using var a = Replica(database, names, prompts, indexA, "a");
        using var b = Replica(database, names, prompts, indexB, "b");
        NearlineReplay.Run(a, WorldEvents.Read(Path.Combine(world.Directory, "world")), new ReplayOptions());
        a.Drain();
        b.Drain();
        var options = new ServingOptions { Retrieve = 120, MaxLimit = 50 };
        await using var hostA = await ServingHost.StartAsync(options, world.Models, a, world.Jobs, ["http://127.0.0.1:0"]);
        await using var hostB = await ServingHost.StartAsync(options, world.Models, b, world.Jobs, ["http://127.0.0.1:0"]);
        using var clientA = new HttpClient { BaseAddress = new Uri(hostA.Addresses[0]) };
        using var clientB = new HttpClient { BaseAddress = new Uri(hostB.Addresses[0]) };
        Assert.Equal(world.Log.Posts.Count, indexB.Index.Count);
        Assert.Equal(hostA.Clock.Now, hostB.Clock.Now);

        // The new post copies the one the member's feed from B ranks first, so it is among what the member is shown.
        var member = world.Log.Members.Order().First();
        var feedPath = $"/v1/members/{member}/feed?limit=50";
        var first = (await Get(clientB, feedPath)).GetProperty("items")[0].GetProperty("post_id").GetInt64();
        const long NewPost = 950_001;
        var created = world.Log.Posts[first] with { Id = NewPost, Time = hostA.Clock.Now + 60, Day = world.Log.LastDay };
        var response = await clientA.PostAsync("/v1/events", new StringContent(NearlineEvent.Created(created).ToJson() + "\n", Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = Stopwatch.StartNew();
        var seen = false;
        while (!seen && accepted.Elapsed < TimeSpan.FromSeconds(30))
        {
            seen = (await Get(clientB, feedPath)).GetProperty("items").EnumerateArray().Any(i => i.GetProperty("post_id").GetInt64() == NewPost);
            if (!seen)
            {
                await Task.Delay(10);
            }
        }
        var elapsed = accepted.Elapsed;
        output.WriteLine($"post created through A, in B's feed after {elapsed.TotalMilliseconds:F0} ms");
        Assert.True(seen, "the post created through A never reached B's feed");
        Assert.True(elapsed <= FreshnessBound, $"the post reached B's feed after {elapsed.TotalMilliseconds:F0} ms, beyond the {FreshnessBound.TotalMilliseconds:F0} ms bound");

        a.Drain();
        // B's clock follows the shared state's, which the post moved through A.
        var waited = Stopwatch.StartNew();
        while (hostB.Clock.Now != hostA.Clock.Now && waited.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(20);
        }
        Assert.Equal(created.Time, hostB.Clock.Now);
        var fromA = await Get(clientA, $"/v1/posts/{NewPost}");
        var fromB = await Get(clientB, $"/v1/posts/{NewPost}");
        Assert.Equal(created.Text, fromB.GetProperty("post").GetProperty("text").GetString());
        Assert.Equal(fromA.GetProperty("post").GetRawText(), fromB.GetProperty("post").GetRawText());
        Assert.True(fromA.GetProperty("indexed").GetBoolean() && fromB.GetProperty("indexed").GetBoolean(), "the new post is not in both replicas' indexes");
    }

    private RedisPipeline Replica(StackExchange.Redis.IDatabase database, RedisNames names, RetrievalPrompts prompts, DurableIndex index, string name)
    {
        var pipeline = new RedisPipeline(database, names, new NearlineOptions { WindowMilliseconds = 20 });
        pipeline.StartPrompts(prompts, Text.Prompts.HistoryMode.Positives, $"prompts-{name}", TimeSpan.FromSeconds(5));
        pipeline.StartEmbedder(new PromptEmbedder(BertModel.Load(world.Models.Retrieval.CheckpointPath)), $"embed-{name}", TimeSpan.FromSeconds(10));
        pipeline.StartReplica(index, name);
        return pipeline;
    }

    private static async Task<JsonElement> Get(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
