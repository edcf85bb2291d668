// The server's two readers side by side: one world's events applied by the embedded pipeline (SQLite) and by the
// scale-out one (Redis) read back the same members, pages of members, posts, counters, histories, prompts,
// embeddings (each of its prompt's newest version) and clock.
using Lodestar.Index;
using Lodestar.Pipelines.Embedded;
using Lodestar.Pipelines.ScaleOut;
using Lodestar.Pipelines.Store;
using Lodestar.TestSupport;
using Lodestar.Text.Prompts;

namespace Lodestar.Pipelines.Tests;

public sealed class RedisNearlineReaderTests(NearlineWorld world, RedisServer redis) : IClassFixture<NearlineWorld>, IClassFixture<RedisServer>
{
    [Fact]
    public void TheRedisReaderAnswersAsTheSqliteReaderForTheSameEvents()
    {
        using var embedded = world.Open(world.NewFolder());
        embedded.Start();
        NearlineReplay.Run(embedded, world.Events, new ReplayOptions());
        embedded.Drain();
        using var sqlite = new NearlineReader(embedded.Store);

        var database = redis.Connection.GetDatabase();
        var names = new RedisNames($"reader-test:{Guid.NewGuid():N}:");
        using var index = DurableIndex.Open(world.NewFolder(), world.Encoder.Model.Config.Channels);
        using (var pipeline = new RedisPipeline(database, names, new NearlineOptions { WindowMilliseconds = 10 }))
        {
            pipeline.StartPrompts(world.Encoder.Settings.Prompts(world.Snapshot, world.Log, world.Encoder.Tokenizer), HistoryMode.Positives, "p", TimeSpan.FromSeconds(5));
            pipeline.StartEmbedder(new Features.Retrieval.PromptEmbedder(world.Encoder.Model), "e", TimeSpan.FromSeconds(5));
            pipeline.StartReplica(index, "r");
            var log = new RedisEventLog(database, names);
            foreach (var chunk in world.Events.Chunk(200))
            {
                log.Append([.. chunk.Select(e => (e.Id, e.ToJson()))]);
            }
            pipeline.Drain();
        }
        INearlineReader fromRedis = new RedisNearlineReader(database, names);
        INearlineReader fromSqlite = sqlite;

        Assert.True(fromSqlite.LatestTime() > 0);
        Assert.Equal(fromSqlite.LatestTime(), fromRedis.LatestTime());
        var members = fromSqlite.Members(0, 1_000_000);
        Assert.Equal(world.Snapshot.Members.Count, members.Count);
        Assert.Equal(members, fromRedis.Members(0, 1_000_000));
        Assert.Equal(fromSqlite.Members(members[40].Id, 25), fromRedis.Members(members[40].Id, 25));
        var historyItems = 0;
        foreach (var (id, _) in members)
        {
            Assert.Equal(Json(fromSqlite.Member(id)), Json(fromRedis.Member(id)));
            var history = fromSqlite.History(id);
            historyItems += history.Count;
            Assert.Equal(history, fromRedis.History(id));
            AssertSamePrompt(fromSqlite, fromRedis, EntityKind.Member, id);
            // The feed's first read, pipelined in Redis: the same history and embedding as read one by one.
            var view = fromRedis.MemberView(id);
            Assert.Equal(history, view.History);
            Assert.Equal(fromRedis.Embedding(EntityKind.Member, id), view.Embedding);
        }
        Assert.True(historyItems > members.Count, $"only {historyItems} impressions in the histories");
        long[] posts = [.. world.Log.Posts.Keys.Order(), -5];
        Assert.Equal(Json(fromSqlite.Posts(posts)), Json(fromRedis.Posts(posts)));
        Assert.Equal(fromSqlite.Counts(posts), fromRedis.Counts(posts));
        Assert.Contains(fromRedis.Counts(posts), c => c != PostStats.None);
        foreach (var post in posts)
        {
            AssertSamePrompt(fromSqlite, fromRedis, EntityKind.Post, post);
        }
        Assert.Null(fromRedis.Member(-5));
        Assert.Equal(index.Index.Count, embedded.Index.Index.Count);
    }

    private static string Json<T>(T value) => System.Text.Json.JsonSerializer.Serialize(value);

    private static void AssertSamePrompt(INearlineReader expected, INearlineReader actual, EntityKind kind, long id)
    {
        var want = expected.Prompt(kind, id);
        var got = actual.Prompt(kind, id);
        Assert.Equal(want is null, got is null);
        if (want is null || got is null)
        {
            return;
        }
        // A version counts the batches that changed the prompt, and the two pipelines batch events differently.
        Assert.Equal(want.Text, got.Text);
        Assert.Equal((want.Version, got.Version), (want.EmbeddingVersion, got.EmbeddingVersion));
        Assert.Equal(want.Tokens, got.Tokens);
        var wantVector = expected.Embedding(kind, id)!;
        var gotVector = actual.Embedding(kind, id)!;
        Assert.Equal(wantVector.Length, gotVector.Length);
        for (var i = 0; i < wantVector.Length; i++)
        {
            Assert.True(Math.Abs(wantVector[i] - gotVector[i]) <= 1e-4f, $"{kind} {id} embedding[{i}]: {wantVector[i]} against {gotVector[i]}");
        }
    }
}
