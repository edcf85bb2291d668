// The embedded deployment replaying a small world: counters equal the world's own however often events are
// redelivered or the pipeline is stopped and reopened; every post created is searchable; every embedding is of its
// entity's newest prompt; bad events go to the dead letters without stopping anything; queues never pass their
// bounds; a stale embedding never overwrites a newer one.
using Lodestar.Data.Schema;
using Lodestar.Features.Retrieval;
using Lodestar.Index;
using Lodestar.Pipelines.Embedded;
using Lodestar.Pipelines.Events;
using Lodestar.Pipelines.Store;
using Lodestar.Text.Prompts;

namespace Lodestar.Pipelines.Tests;

public sealed class EmbeddedPipelineTests(NearlineWorld world) : IClassFixture<NearlineWorld>
{
    [Fact]
    public void AReplayWithRedeliveriesCountsEachEventOnceAndMakesEveryPostSearchable()
    {
        var folder = world.NewFolder();
        using var pipeline = world.Open(folder);
        pipeline.Start();
        var summary = NearlineReplay.Run(pipeline, world.Events, new ReplayOptions(DuplicateShare: 0.1, Seed: 5));
        var status = pipeline.Status();
        Assert.True(summary.Redelivered > 0, "no event was delivered twice");
        Assert.Equal(summary.Redelivered, status.Prompts.Duplicates);
        Assert.Equal(world.Events.Count, status.Prompts.Applied);
        Assert.Equal(0, status.Prompts.Rejected);
        AssertCountsEqualTheWorlds(pipeline);
        Assert.Equal(world.Log.Posts.Count, pipeline.Index.Index.Count);
        AssertEmbeddingsAreOfTheNewestPrompts(pipeline);
        Assert.True(status.Freshness.ContainsKey("post_created/post"), string.Join(", ", status.Freshness.Keys));
        Assert.Equal(world.Log.Posts.Count, status.Freshness["post_created/post"].Count);
    }

    [Fact]
    public void APipelineStoppedAtRandomPointsAndReopenedEndsAsAnUninterruptedOne()
    {
        var folder = world.NewFolder();
        var random = new Lodestar.Core.SeededRandom(9);
        var stops = 0;
        while (true)
        {
            using var pipeline = world.Open(folder, new NearlineOptions { WindowMilliseconds = 5, EventBatch = 64, MaxEmbedBatch = 32 });
            pipeline.Start();
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100 + random.NextInt(400)));
            try
            {
                // About a second and a half for the whole stream, so the first stop always lands inside it.
                NearlineReplay.Run(pipeline, world.Events, new ReplayOptions(DuplicateShare: 0.05, Seed: (ulong)stops, Rate: world.Events.Count / 1.5), cancel: cancel.Token);
                AssertCountsEqualTheWorlds(pipeline);
                Assert.Equal(world.Log.Posts.Count, pipeline.Index.Index.Count);
                AssertEmbeddingsAreOfTheNewestPrompts(pipeline);
                break;
            }
            catch (OperationCanceledException)
            {
                stops++;
            }
        }
        Assert.True(stops >= 1, "the replay finished before the first stop: the test stopped nothing");
    }

    [Fact]
    public void BadEventsGoToTheDeadLettersAndThePipelineGoesOn()
    {
        var folder = world.NewFolder();
        using var pipeline = world.Open(folder);
        pipeline.Start();
        var member = world.Snapshot.Members.Values.First();
        var post = world.Log.Posts.Values.First();
        var shown = new FeedImpression(900_001, 1, member.Id, 999_999, 0, post.Time + 10, post.Day, true, false, false, false, false, false, 3f);
        pipeline.Append(
        [
            ("j", NearlineEvent.Joined(member, post.Time - 10, post.Day).ToJson()),
            ("p", NearlineEvent.Created(post).ToJson()),
            ("bad1", "{not json"),
            ("bad2", "{\"id\":\"x:1\",\"kind\":\"comment_posted\",\"time\":1,\"day\":0}"),
            ("bad3", NearlineEvent.Shown(shown).ToJson()),
            ("bad4", new NearlineEvent("edit:1", NearlineEventKind.ProfileChanged, post.Time, post.Day, Member: member with { Id = 777_777 }).ToJson()),
            ("ok", NearlineEvent.Shown(shown with { PostId = post.Id }).ToJson()),
        ]);
        pipeline.Drain();
        var status = pipeline.Status();
        Assert.True(status.Prompts.Rejected == 4, $"{status}");
        Assert.Equal(3, status.Prompts.Applied);
        Assert.Equal(1, pipeline.CountsOf(post.Id)!.Impressions);
        using var connection = pipeline.Store.Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT reason FROM dead_letters ORDER BY seq";
        using var reader = command.ExecuteReader();
        var reasons = new List<string>();
        while (reader.Read())
        {
            reasons.Add(reader.GetString(0));
        }
        Assert.Equal(4, reasons.Count);
        Assert.Contains("not a valid event", reasons[0], StringComparison.Ordinal);
        Assert.Contains("\"comment_posted\"", reasons[1], StringComparison.Ordinal);
        Assert.Contains("post 999999 does not exist", reasons[2], StringComparison.Ordinal);
        Assert.Contains("member 777777 does not exist", reasons[3], StringComparison.Ordinal);
    }

    [Fact]
    public void ADeletedPostLeavesTheIndexAndLaterImpressionsOfItAreRefused()
    {
        var folder = world.NewFolder();
        using var pipeline = world.Open(folder);
        pipeline.Start();
        var member = world.Snapshot.Members.Values.First();
        var posts = world.Log.Posts.Values.Take(2).ToArray();
        pipeline.Append([("j", NearlineEvent.Joined(member, 0, 0).ToJson()), .. posts.Select(p => (p.Id.ToString(), NearlineEvent.Created(p).ToJson()))]);
        pipeline.Drain();
        Assert.Equal(2, pipeline.Index.Index.Count);
        var shown = new FeedImpression(5, 1, member.Id, posts[0].Id, 0, posts[0].Time + 5, posts[0].Day, true, false, false, false, false, false, 3f);
        pipeline.Append(
        [
            ("d", new NearlineEvent("delete:1", NearlineEventKind.PostDeleted, posts[0].Time + 1, posts[0].Day, PostId: posts[0].Id).ToJson()),
            ("i", NearlineEvent.Shown(shown).ToJson()),
        ]);
        pipeline.Drain();
        Assert.Equal(1, pipeline.Index.Index.Count);
        var hits = new SearchHit[2];
        var found = pipeline.Index.Index.Search(new float[pipeline.Index.Index.Dimension].Select((_, i) => i == 0 ? 1f : 0f).ToArray(), 2, hits);
        Assert.Equal([posts[1].Id], hits.Take(found).Select(h => h.Id));
        Assert.Equal(1, pipeline.Status().Prompts.Rejected);
    }

    [Fact]
    public void QueuesStayWithinTheirBoundsWhenTheProducerIsFaster()
    {
        var folder = world.NewFolder();
        var options = new NearlineOptions { WindowMilliseconds = 50, EventBatch = 16, MaxEmbedBatch = 8, EventQueueCapacity = 64, ChangeQueueCapacity = 32, IndexQueueCapacity = 16 };
        using var pipeline = world.Open(folder, options);
        pipeline.Start();
        var (maxEvents, maxChanges, maxIndex) = (0L, 0L, 0L);
        using var watching = new CancellationTokenSource();
        var watcher = new Thread(() =>
        {
            using var connection = pipeline.Store.Connect();
            while (!watching.IsCancellationRequested)
            {
                var events = NearlineStore.Scalar(connection, "SELECT (SELECT COALESCE(MAX(seq), 0) FROM events) - (SELECT COALESCE(MAX(seq), 0) FROM cursors WHERE stage = 'prompts')");
                maxEvents = Math.Max(maxEvents, events);
                maxChanges = Math.Max(maxChanges, NearlineStore.Scalar(connection, "SELECT COUNT(*) FROM prompt_changes"));
                maxIndex = Math.Max(maxIndex, NearlineStore.Scalar(connection, "SELECT COUNT(*) FROM index_queue"));
            }
        });
        watcher.Start();
        NearlineReplay.Run(pipeline, world.Events, new ReplayOptions(Limit: 3000, AppendBatch: 16));
        watching.Cancel();
        watcher.Join();
        Assert.True(maxEvents <= options.EventQueueCapacity, $"{maxEvents} events waited for the prompt stage (capacity {options.EventQueueCapacity})");
        Assert.True(maxChanges <= options.ChangeQueueCapacity, $"{maxChanges} changes waited for embedding (capacity {options.ChangeQueueCapacity})");
        Assert.True(maxIndex <= options.IndexQueueCapacity, $"{maxIndex} operations waited for the index (capacity {options.IndexQueueCapacity})");
        Assert.True(maxChanges > options.MaxEmbedBatch, $"the change queue never filled past one batch ({maxChanges}): nothing pushed back");
    }

    [Fact]
    public void TheWorldsProfileEditsReachEachMembersStoredProfileAndPrompt()
    {
        var edits = world.Events.Where(e => e.Kind == NearlineEventKind.ProfileChanged).ToList();
        Assert.NotEmpty(edits);
        using var pipeline = world.Open(world.NewFolder());
        pipeline.Start();
        NearlineReplay.Run(pipeline, world.Events, new ReplayOptions());
        var status = pipeline.Status();
        Assert.Equal(0, status.Prompts.Rejected);
        Assert.True(status.Freshness.TryGetValue("profile_changed/member", out var refreshed), string.Join(", ", status.Freshness.Keys));
        // A member's refresh is credited to the earliest event of its batch that touched them, which may be another kind.
        Assert.InRange(refreshed.Count, 1, edits.Count);
        using var reader = pipeline.OpenReader();
        var showingTheAddedSkill = 0;
        foreach (var edit in edits)
        {
            var stored = reader.Member(edit.Member!.Id)!;
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(edit.Member, DataJson.Compact.Member), System.Text.Json.JsonSerializer.Serialize(stored, DataJson.Compact.Member));
            // A long history can leave the headline only a few tokens of the prompt's budget: what is shown must be the
            // edited headline's start, and where it reaches the added skill, the skill is there.
            var prompt = reader.Prompt(EntityKind.Member, edit.Member.Id)!.Text;
            var start = prompt.IndexOf("<headline>", StringComparison.Ordinal) + "<headline>".Length;
            var shown = prompt[start..prompt.IndexOf("</headline>", start, StringComparison.Ordinal)];
            Assert.StartsWith(shown, edit.Member.Headline, StringComparison.Ordinal);
            showingTheAddedSkill += shown.Contains(edit.Member.Skills[^1], StringComparison.Ordinal) ? 1 : 0;
        }
        Assert.True(showingTheAddedSkill > 0, "no edited member's prompt shows the skill they added");
    }

    [Fact]
    public void SamplesAskedForWhatIsAliveAreTakenRightAfterAForcedFullCollection()
    {
        using (var pipeline = world.Open(world.NewFolder()))
        {
            pipeline.Start();
            var plain = NearlineReplay.Run(pipeline, world.Events, new ReplayOptions(Limit: 500));
            Assert.DoesNotContain(plain.Samples, sample => sample.AfterForcedCollection);
        }
        using (var pipeline = world.Open(world.NewFolder()))
        {
            pipeline.Start();
            var fullCollections = GC.CollectionCount(GC.MaxGeneration);
            var measured = NearlineReplay.Run(pipeline, world.Events, new ReplayOptions(Limit: 500, LiveHeapEverySeconds: 0.001));
            Assert.True(measured.Samples[^1].AfterForcedCollection, "the sample after the drain was not taken after a forced collection");
            Assert.True(GC.CollectionCount(GC.MaxGeneration) > fullCollections);
            Assert.True(measured.Samples[^1].HeapAfterFullCollectionBytes > 0);
        }
        var error = Assert.Throws<Lodestar.Core.InvalidConfigException>(() => new ReplayOptions(LiveHeapEverySeconds: -1).Validate());
        Assert.Contains("LiveHeapEverySeconds", error.Message);
    }

    [Fact]
    public void AStaleEmbeddingNeverOverwritesANewerOne()
    {
        var folder = world.NewFolder();
        using var pipeline = world.Open(folder);
        pipeline.Start();
        var member = world.Snapshot.Members.Values.First();
        pipeline.Append([("j", NearlineEvent.Joined(member, 0, 0).ToJson())]);
        pipeline.Drain();
        using var connection = pipeline.Store.Connect();
        // Another worker has meanwhile stored version 9 of the member; a change for the store's version 1 comes in late.
        NearlineStore.Execute(connection, $"UPDATE embeddings SET version = 9, vector = zeroblob(4) WHERE kind = 0 AND id = {member.Id}");
        NearlineStore.Execute(connection, $"INSERT INTO prompt_changes(kind, id, version, priority, source_us, cause) VALUES(0, {member.Id}, 1, 0, 0, 'test')");
        var stage = new Stages.EmbedStage(pipeline.Store, new PromptEmbedder(world.Encoder.Model), new Stages.Freshness());
        using (stage)
        {
            Assert.Equal(1, stage.RunOnce(8));
        }
        Assert.Equal(9, NearlineStore.Scalar(connection, $"SELECT version FROM embeddings WHERE kind = 0 AND id = {member.Id}"));
        Assert.Equal(4, NearlineStore.Scalar(connection, $"SELECT length(vector) FROM embeddings WHERE kind = 0 AND id = {member.Id}"));
    }

    private void AssertCountsEqualTheWorlds(EmbeddedPipeline pipeline)
    {
        var after = world.Log.LastDay + 1;
        foreach (var post in world.Log.Posts.Keys)
        {
            var expected = world.Log.CountsBefore(post, after);
            var actual = pipeline.CountsOf(post) ?? PostStats.None;
            Assert.True(expected == actual, $"post {post}: the world counts {expected}, the pipeline {actual}");
        }
    }

    private void AssertEmbeddingsAreOfTheNewestPrompts(EmbeddedPipeline pipeline)
    {
        using var connection = pipeline.Store.Connect();
        Assert.Equal(0, NearlineStore.Scalar(connection, """
            SELECT COUNT(*) FROM prompts p LEFT JOIN embeddings e ON e.kind = p.kind AND e.id = p.id
            WHERE e.version IS NULL OR e.version <> p.version
            """));
        // Spot-check that a stored embedding is the encoder's output for the stored prompt tokens.
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT p.tokens, e.vector FROM prompts p JOIN embeddings e ON e.kind = p.kind AND e.id = p.id ORDER BY p.kind, p.id LIMIT 5";
        using var reader = command.ExecuteReader();
        var embedder = new PromptEmbedder(world.Encoder.Model);
        while (reader.Read())
        {
            var expected = embedder.Embed([NearlineStore.Tokens((byte[])reader[0])]);
            var stored = NearlineStore.Vector((byte[])reader[1]);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i], stored[i], 1e-5f);
            }
        }
    }
}

public sealed class StageOrderTests(NearlineWorld world) : IClassFixture<NearlineWorld>
{
    [Fact]
    public void NewPostsAreEmbeddedAheadOfNewMembersAndNewMembersAheadOfRefreshes()
    {
        var folder = world.NewFolder();
        var store = NearlineStore.Open(folder);
        var members = world.Snapshot.Members.Values.Take(3).ToArray();
        var post = world.Log.Posts.Values.First();
        using (var log = new EventLog(store))
        {
            log.Append(
            [
                .. members.Select(m => (m.Id.ToString(), NearlineEvent.Joined(m, post.Time - 100, post.Day).ToJson())),
                ("p", NearlineEvent.Created(post).ToJson()),
            ]);
        }
        using var prompts = new Stages.PromptStage(store, world.Encoder.Settings.Prompts(world.Snapshot, world.Log, world.Encoder.Tokenizer), HistoryMode.Positives);
        Assert.Equal(4, prompts.RunOnce(100));
        using var connection = store.Connect();
        // A refresh of the first member, queued after everything else.
        NearlineStore.Execute(connection, $"INSERT INTO prompt_changes(kind, id, version, priority, source_us, cause) VALUES(0, {members[0].Id}, 1, 0, 0, 'refresh')");
        var freshness = new Stages.Freshness();
        using var embed = new Stages.EmbedStage(store, new PromptEmbedder(world.Encoder.Model), freshness);
        Assert.Equal(1, embed.RunOnce(1));
        Assert.Equal(1, embed.LastQueued);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(1, embed.RunOnce(1));
            Assert.Equal(0, embed.LastQueued);
        }
        Assert.Equal(1, NearlineStore.Scalar(connection, "SELECT COUNT(*) FROM prompt_changes WHERE cause = 'refresh'"));
        Assert.Equal(1, NearlineStore.Scalar(connection, "SELECT COUNT(*) FROM prompt_changes"));
    }
}
