// The scale-out deployment end to end on a real redis-server: a world's stream with redeliveries through a prompt
// worker, two embedding workers and an index replica ends with the world's own counters, every post searchable and
// every embedding of its prompt's newest version, with the event stream trimmed behind the workers; a standby prompt
// worker takes over from a dead one when its lease expires, including the batch the dead one had read; a replica joining
// after the stream lost its oldest entries starts from the stored embeddings.
using Lodestar.Features.Retrieval;
using Lodestar.Index;
using Lodestar.Pipelines.Embedded;
using Lodestar.Pipelines.Events;
using Lodestar.Pipelines.ScaleOut;
using Lodestar.Pipelines.Store;
using Lodestar.TestSupport;
using Lodestar.Text.Prompts;
using StackExchange.Redis;

namespace Lodestar.Pipelines.Tests;

public sealed class RedisScaleOutTests(NearlineWorld world, RedisServer redis) : IClassFixture<NearlineWorld>, IClassFixture<RedisServer>
{
    private IDatabase Database => redis.Connection.GetDatabase();

    private RetrievalPrompts Prompts() => world.Encoder.Settings.Prompts(world.Snapshot, world.Log, world.Encoder.Tokenizer);

    [Fact]
    public void AReplayThroughTwoEmbeddingWorkersEndsWithTheWorldsCountersAndEveryPostSearchable()
    {
        var names = new RedisNames($"test:{Guid.NewGuid():N}:");
        var folder = world.NewFolder();
        using var index = DurableIndex.Open(folder, world.Encoder.Model.Config.Channels);
        using (var pipeline = new RedisPipeline(Database, names, new NearlineOptions { WindowMilliseconds = 10, EventBatch = 128, MaxEmbedBatch = 32 }))
        {
            pipeline.StartPrompts(Prompts(), HistoryMode.Positives, "p1", TimeSpan.FromSeconds(5));
            pipeline.StartEmbedder(new PromptEmbedder(world.Encoder.Model), "e1", TimeSpan.FromSeconds(5));
            pipeline.StartEmbedder(new PromptEmbedder(world.Encoder.Model), "e2", TimeSpan.FromSeconds(5));
            pipeline.StartReplica(index, "replica-a");
            var log = new RedisEventLog(Database, names, capacity: 512);
            var random = new Lodestar.Core.SeededRandom(8);
            var redelivered = 0;
            foreach (var chunk in world.Events.Chunk(100))
            {
                var lines = new List<(string, string)>();
                foreach (var evt in chunk)
                {
                    lines.Add((evt.Id, evt.ToJson()));
                    if (random.Bernoulli(0.1))
                    {
                        lines.Add((evt.Id, evt.ToJson()));
                        redelivered++;
                    }
                }
                log.Append(lines);
            }
            pipeline.Drain();
            Assert.Equal(world.Events.Count, pipeline.Prompts!.Counters.Applied);
            Assert.Equal(redelivered, pipeline.Prompts.Counters.Duplicates);
            Assert.All(pipeline.Embedders, e => Assert.True(e.Counters.Applied > 0, "an embedding worker took nothing"));
            Assert.True(pipeline.Freshness().ContainsKey("post_created/post"));
        }
        var after = world.Log.LastDay + 1;
        foreach (var post in world.Log.Posts.Keys)
        {
            Assert.Equal(world.Log.CountsBefore(post, after), RedisPromptWorker.StoredCounts(Database, names, post) ?? Text.Prompts.PostStats.None);
        }
        Assert.Equal(world.Log.Posts.Count, index.Index.Count);
        foreach (var entry in Database.HashGetAll(names.PromptTexts))
        {
            var parts = ((string)entry.Name!).Split(':');
            var key = new EntityKey((EntityKind)int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal((int)Database.HashGet(names.Prompt(key), "version"), (int)Database.HashGet(names.Embedding(key), "version"));
        }
        Assert.True(Database.StreamLength(names.Events) <= 1, $"the event stream kept {Database.StreamLength(names.Events)} acknowledged entries");
    }

    [Fact]
    public void AReplicaJoiningAfterTheStreamWasTrimmedHoldsEveryLivePostAndFollowsTheStreamFromThere()
    {
        var names = new RedisNames($"test:{Guid.NewGuid():N}:");
        using var early = DurableIndex.Open(world.NewFolder(), world.Encoder.Model.Config.Channels);
        using var late = DurableIndex.Open(world.NewFolder(), world.Encoder.Model.Config.Channels);
        using var pipeline = new RedisPipeline(Database, names, new NearlineOptions { WindowMilliseconds = 10 });
        pipeline.StartPrompts(Prompts(), HistoryMode.Positives, "p", TimeSpan.FromSeconds(5));
        pipeline.StartEmbedder(new PromptEmbedder(world.Encoder.Model), "e", TimeSpan.FromSeconds(5));
        pipeline.StartReplica(early, "early");
        var log = new RedisEventLog(Database, names);
        var deletedPost = world.Log.Posts.Keys.Order().First();
        foreach (var chunk in world.Events.Append(new NearlineEvent("delete-first", NearlineEventKind.PostDeleted, world.Events[^1].Time, world.Log.LastDay, PostId: deletedPost)).Chunk(200))
        {
            log.Append([.. chunk.Select(e => (e.Id, e.ToJson()))]);
        }
        pipeline.Drain();
        Assert.Equal(world.Log.Posts.Count - 1, early.Index.Count);
        // The stream is capped: here it lost every entry, as a long-running deployment loses its oldest.
        Database.StreamTrim(names.Embeddings, maxLength: 0);

        using var joining = new RedisPipeline(Database, names, new NearlineOptions());
        joining.StartReplica(late, "late");
        joining.Drain();
        Assert.Equal(early.Index.Count, joining.Replica!.Bootstrapped);
        Assert.Equal(early.Index.Count, late.Index.Count);
        Assert.False(late.Index.Contains(deletedPost));
        var random = new Lodestar.Core.SeededRandom(4);
        for (var q = 0; q < 5; q++)
        {
            var query = Enumerable.Range(0, early.Index.Dimension).Select(_ => (float)random.NextGaussian()).ToArray();
            var (fromEarly, fromLate) = (new SearchHit[10], new SearchHit[10]);
            Assert.Equal(early.Index.Search(query, 10, fromEarly), late.Index.Search(query, 10, fromLate));
            Assert.Equal(fromEarly, fromLate);
        }

        var post = world.Log.Posts[world.Log.Posts.Keys.Max()] with { Id = 990_001 };
        log.Append([("late-post", NearlineEvent.Created(post).ToJson())]);
        pipeline.Drain();
        joining.Drain();
        Assert.True(late.Index.Contains(990_001), "a post created after the late replica joined did not reach it through the stream");
    }

    [Fact]
    public void AStandbyPromptWorkerTakesOverWhenTheLeaseExpiresWithTheBatchTheDeadOneHadRead()
    {
        var names = new RedisNames($"test:{Guid.NewGuid():N}:");
        var events = world.Events.Take(600).ToList();
        // Long enough that a batch on a slow, busy machine ends well inside it: a lease that runs out mid-batch is lost, rightly.
        var lease = TimeSpan.FromSeconds(2);
        var first = new RedisPromptWorker(Database, names, Prompts(), HistoryMode.Positives, "first", lease);
        var standby = new RedisPromptWorker(Database, names, Prompts(), HistoryMode.Positives, "standby", lease);
        var log = new RedisEventLog(Database, names);
        log.Append([.. events.Take(300).Select(e => (e.Id, e.ToJson()))]);
        Assert.Equal(100, first.RunOnce(100));
        Assert.Equal(0, standby.RunOnce(100));
        Assert.False(standby.Active);
        // The first worker reads a batch and dies before committing it.
        Assert.Equal(100, Database.StreamReadGroup(names.Events, RedisNames.PromptGroup, "first", StreamPosition.NewMessages, 100).Length);
        log.Append([.. events.Skip(300).Select(e => (e.Id, e.ToJson()))]);
        Thread.Sleep(lease + TimeSpan.FromMilliseconds(100));
        var applied = 0;
        while (standby.RunOnce(100) is var taken && taken > 0)
        {
            applied += taken;
        }
        Assert.True(standby.Active, $"the standby lost the lease {standby.LeasesLost} times");
        Assert.Equal(500, applied);
        Assert.Equal(500, standby.Counters.Applied);
        Assert.Equal(0, first.RunOnce(100));
        Assert.False(first.Active);
        Assert.Equal(600, Database.SetLength(names.Applied));
        var shown = events.Where(e => e.Kind == NearlineEventKind.Impression).GroupBy(e => e.Impression!.PostId);
        foreach (var post in shown)
        {
            Assert.Equal(post.Count(), RedisPromptWorker.StoredCounts(Database, names, post.Key)!.Impressions);
        }
    }
}
