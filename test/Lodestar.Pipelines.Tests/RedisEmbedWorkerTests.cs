// Stage 2 over Redis Streams with a real redis-server: two workers in one group share the changes and every entity
// ends at its newest prompt version, each change acknowledged once; changes a dead worker left are claimed after the
// timeout; a stale change never overwrites a newer embedding; new posts are read before refreshes.
using Lodestar.Features.Retrieval;
using Lodestar.Pipelines.ScaleOut;
using Lodestar.Pipelines.Store;
using Lodestar.TestSupport;
using StackExchange.Redis;

namespace Lodestar.Pipelines.Tests;

public sealed class RedisEmbedWorkerTests(NearlineWorld world, RedisServer redis) : IClassFixture<NearlineWorld>, IClassFixture<RedisServer>
{
    private IDatabase Database => redis.Connection.GetDatabase();

    private static RedisNames Fresh() => new($"test:{Guid.NewGuid():N}:");

    private RedisEmbedWorker Worker(RedisNames names, string consumer, TimeSpan? claimAfter = null) =>
        new(Database, names, new PromptEmbedder(world.Encoder.Model), consumer, claimAfter ?? TimeSpan.FromMinutes(1));

    /// <summary>Stores the prompt (the online prompt store) and queues its change, as the prompt stage does.</summary>
    private void Change(RedisNames names, EntityKey key, int version, int priority, int[]? tokens = null)
    {
        tokens ??= [1 + (int)(key.Id % 50), 2 + version, 3];
        Database.HashSet(names.Prompt(key), [new("version", version), new("tokens", NearlineStore.TokenBytes(tokens))]);
        Database.StreamAdd(names.PromptChanges(priority), new PromptChangeMessage(key, version, 0, NearlineStore.NowMicros(), "test", tokens).ToEntry());
    }

    [Fact]
    public void TwoWorkersShareTheChangesAndEveryEntityEndsAtItsNewestVersion()
    {
        var names = Fresh();
        var random = new Lodestar.Core.SeededRandom(4);
        var newest = new Dictionary<EntityKey, int>();
        for (var i = 0; i < 300; i++)
        {
            var key = new EntityKey(i % 3 == 0 ? EntityKind.Post : EntityKind.Member, i);
            var versions = 1 + random.NextInt(3);
            for (var version = 1; version <= versions; version++)
            {
                Change(names, key, version, version == 1 ? (key.Kind == EntityKind.Post ? 2 : 1) : 0);
            }
            newest[key] = versions;
        }
        var workers = new[] { Worker(names, "a"), Worker(names, "b") };
        var threads = workers.Select(w => new Thread(() =>
        {
            while (w.RunOnce(16, TimeSpan.FromMilliseconds(5)) > 0)
            {
            }
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }
        foreach (var thread in threads)
        {
            thread.Join();
        }
        Assert.All(workers, w => Assert.True(w.Counters.Applied > 0, "a worker took nothing: the group did not share the changes"));
        Assert.Equal(newest.Values.Sum(), workers.Sum(w => w.Counters.Applied));
        foreach (var (key, version) in newest)
        {
            Assert.Equal(version, (int)Database.HashGet(names.Embedding(key), "version"));
            Assert.Equal(world.Encoder.Model.Config.Channels * sizeof(float), ((byte[])Database.HashGet(names.Embedding(key), "vector")!).Length);
        }
        foreach (var priority in RedisNames.Priorities)
        {
            Assert.Equal(0, Database.StreamPending(names.PromptChanges(priority), RedisNames.EmbedGroup).PendingMessageCount);
        }
        // Every post reached the index stream, ending at its newest version.
        var lastVersion = Database.StreamRange(names.Embeddings).GroupBy(e => (long)e["id"]).ToDictionary(g => g.Key, g => (int)g.Last()["version"]);
        Assert.Equal(newest.Where(p => p.Key.Kind == EntityKind.Post).ToDictionary(p => p.Key.Id, p => p.Value), lastVersion);
    }

    [Fact]
    public void ChangesADeadWorkerHeldAreClaimedAfterTheTimeout()
    {
        var names = Fresh();
        var survivor = Worker(names, "survivor", claimAfter: TimeSpan.FromMilliseconds(300));
        for (var i = 0; i < 10; i++)
        {
            Change(names, new EntityKey(EntityKind.Member, i), 1, 1);
        }
        // The dead worker read them and died before acknowledging.
        Assert.Equal(10, Database.StreamReadGroup(names.PromptChanges(1), RedisNames.EmbedGroup, "dead", StreamPosition.NewMessages, 100).Length);
        Assert.Equal(0, survivor.RunOnce(32, TimeSpan.Zero));
        Thread.Sleep(400);
        Assert.Equal(10, survivor.RunOnce(32, TimeSpan.Zero));
        Assert.Equal(10, survivor.Claimed);
        Assert.Equal(0, Database.StreamPending(names.PromptChanges(1), RedisNames.EmbedGroup).PendingMessageCount);
        Assert.All(Enumerable.Range(0, 10), i => Assert.Equal(1, (int)Database.HashGet(names.Embedding(new EntityKey(EntityKind.Member, i)), "version")));
    }

    [Fact]
    public void AStaleChangeNeverOverwritesANewerEmbeddingNorRevivesADeletedPost()
    {
        var names = Fresh();
        var member = new EntityKey(EntityKind.Member, 7);
        var deleted = new EntityKey(EntityKind.Post, 8);
        Change(names, member, 3, 0);
        Database.HashSet(names.Embedding(member), [new("version", 5), new("vector", new byte[] { 1, 2, 3, 4 })]);
        Change(names, deleted, 1, 2);
        Database.KeyDelete(names.Prompt(deleted));
        Assert.Equal(2, Worker(names, "w").RunOnce(8, TimeSpan.Zero));
        Assert.Equal(5, (int)Database.HashGet(names.Embedding(member), "version"));
        Assert.Equal(4, ((byte[])Database.HashGet(names.Embedding(member), "vector")!).Length);
        Assert.False(Database.KeyExists(names.Embedding(deleted)));
        Assert.Equal(0, Database.StreamLength(names.Embeddings));
    }

    [Fact]
    public void NewPostsAreTakenBeforeNewMembersAndRefreshes()
    {
        var names = Fresh();
        Change(names, new EntityKey(EntityKind.Member, 1), 2, 0);
        Change(names, new EntityKey(EntityKind.Member, 2), 1, 1);
        Change(names, new EntityKey(EntityKind.Post, 3), 1, 2);
        var worker = Worker(names, "w");
        Assert.Equal(1, worker.RunOnce(1, TimeSpan.Zero));
        Assert.True(Database.KeyExists(names.Embedding(new EntityKey(EntityKind.Post, 3))));
        Assert.Equal(1, worker.RunOnce(1, TimeSpan.Zero));
        Assert.True(Database.KeyExists(names.Embedding(new EntityKey(EntityKind.Member, 2))));
        Assert.False(Database.KeyExists(names.Embedding(new EntityKey(EntityKind.Member, 1))));
    }
}
