// The feed ranker: candidates scored side by side equal each scored alone, a training target equals the same
// impression scored as a candidate after its history (training and serving agree), every parameter gradient
// matches central finite differences, a checkpoint scores as the model it saved, and bad input names its fault.
using Lodestar.Core;
using Lodestar.Models.FeedRanking;
using Lodestar.Tensors;
using Lodestar.TestSupport;

namespace Lodestar.Models.Tests;

public sealed class FeedRankerModelTests
{
    private static readonly FeedRankerConfig Tiny = new()
    {
        MaxHistory = 4, Channels = 8, Heads = 2, FeedForward = 12, Layers = 2, Dropout = 0f, PostBuckets = 7, AuthorBuckets = 5,
        TopicBuckets = 3, FusedFeatures = 3, Experts = 2, CrossLayers = 2, ExpertWidth = 4,
    };

    private static RankedPost Post(SeededRandom random) =>
        new(random.NextInt(1000), random.NextInt(5), ((char)('a' + random.NextInt(4))).ToString(), random.NextInt(20) - 10);

    private static FeedEvent[] Events(int count, SeededRandom random) =>
        [.. Enumerable.Range(0, count).Select(_ => new FeedEvent(Post(random), random.NextInt(64)))];

    private static float[] Features(int count, SeededRandom random) =>
        [.. Enumerable.Range(0, count * Tiny.FusedFeatures).Select(_ => (float)random.NextDouble())];

    /// <summary>A model whose weights are spread out enough that every part of it moves the scores.</summary>
    private static FeedRankerModel Model(FeedRankerConfig config, ulong seed = 3)
    {
        var model = new FeedRankerModel(config, seed);
        ParameterGradients.Spread(model, seed + 100);
        model.Eval();
        return model;
    }

    [Theory]
    [InlineData(0, true, FeedHead.Mmoe)]
    [InlineData(3, true, FeedHead.Mmoe)]
    [InlineData(7, true, FeedHead.Shared)]
    [InlineData(3, false, FeedHead.Mmoe)]
    public void CandidatesScoredTogetherEqualEachScoredAlone(int historyLength, bool actionTokens, FeedHead head)
    {
        var config = Tiny with { ActionTokens = actionTokens, Head = head };
        var model = Model(config);
        var random = new SeededRandom(11);
        var history = Events(historyLength, random);
        var candidates = Enumerable.Range(0, 6).Select(_ => Post(random)).ToArray();
        var features = Features(candidates.Length, random);
        var together = model.Score(history, candidates, features);
        Assert.Equal(candidates.Length * FeedTasks.Count, together.Length);
        for (var k = 0; k < candidates.Length; k++)
        {
            var alone = model.Score(history, [candidates[k]], features.AsSpan(k * config.FusedFeatures, config.FusedFeatures));
            for (var task = 0; task < FeedTasks.Count; task++)
            {
                Assert.True(Math.Abs(alone[task] - together[(k * FeedTasks.Count) + task]) <= 1e-5, $"candidate {k} task {task}: alone {alone[task]}, together {together[(k * FeedTasks.Count) + task]}");
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ATrainingTargetScoresAsTheSameImpressionAfterItsHistory(bool actionTokens)
    {
        var config = Tiny with { ActionTokens = actionTokens };
        var model = Model(config);
        var random = new SeededRandom(5);
        var events = Events(config.MaxHistory, random);
        var features = Features(events.Length, random);
        var batch = FeedBatch.ForTraining(config, [new FeedSequence(events, features, FirstTarget: 0), new FeedSequence(Events(2, random), Features(2, random), FirstTarget: 1)]);
        Assert.Equal(events.Length + 1, batch.Targets);
        var logits = model.Logits(new Graph(recordGradients: false), batch).Data;
        for (var i = 0; i < events.Length; i++)
        {
            var scored = model.Score(events[..i], [events[i].Post], features.AsSpan(i * config.FusedFeatures, config.FusedFeatures));
            for (var task = 0; task < FeedTasks.Count; task++)
            {
                var trained = 1f / (1f + MathF.Exp(-logits[(i * FeedTasks.Count) + task]));
                Assert.True(Math.Abs(trained - scored[task]) <= 1e-5, $"event {i} task {task}: as a training target {trained}, as a candidate {scored[task]}");
            }
        }
    }

    [Fact]
    public void APointwiseModelScoresEachImpressionAloneAndTrainsOnEachAlone()
    {
        var config = Tiny with { Sequential = false };
        var model = Model(config);
        var random = new SeededRandom(6);
        var candidates = Enumerable.Range(0, 3).Select(_ => Post(random)).ToArray();
        var features = Features(candidates.Length, random);
        Assert.Equal(model.Score([], candidates, features), model.Score(Events(5, random), candidates, features));
        var events = Events(4, random);
        var eventFeatures = Features(4, random);
        var batch = FeedBatch.ForTraining(config, [new FeedSequence(events, eventFeatures, FirstTarget: 1)]);
        Assert.Equal((3, 1, 3), (batch.Batch, batch.Length, batch.Targets));
        var logits = model.Logits(new Graph(recordGradients: false), batch).Data;
        for (var i = 1; i < events.Length; i++)
        {
            var alone = model.Score([], [events[i].Post], eventFeatures.AsSpan(i * config.FusedFeatures, config.FusedFeatures));
            Assert.True(Math.Abs(alone[0] - (1f / (1f + MathF.Exp(-logits[(i - 1) * FeedTasks.Count])))) <= 1e-5);
        }
    }

    [Fact]
    public void WithoutLateFusionTheFeaturesAreNotRead()
    {
        var config = Tiny with { FusedFeatures = 0 };
        var model = Model(config);
        var random = new SeededRandom(8);
        var events = Events(4, random);
        // The examples carry the feature builder's columns whatever the model reads.
        var batch = FeedBatch.ForTraining(config, [new FeedSequence(events, Features(4, random), 0)]);
        var logits = model.Logits(new Graph(recordGradients: false), batch).Data;
        var scored = model.Score(events[..3], [events[3].Post], []);
        Assert.True(Math.Abs(scored[0] - (1f / (1f + MathF.Exp(-logits[3 * FeedTasks.Count])))) <= 1e-5);
    }

    [Fact]
    public void EveryParameterGradientMatchesFiniteDifferences()
    {
        var model = Model(Tiny);
        var random = new SeededRandom(9);
        var batch = FeedBatch.ForTraining(Tiny, [new FeedSequence(Events(3, random), Features(3, random), 0), new FeedSequence(Events(2, random), Features(2, random), 1)]);
        float[] weights = [1f, 0.5f, 2f, 1f, 0f, 1.5f];
        var graph = new Graph();
        graph.Backward(model.Loss(graph, batch, weights), [1f]);
        var evaluation = new Graph(recordGradients: false);
        double Evaluate()
        {
            evaluation.Reset();
            return model.Loss(evaluation, batch, weights).Data[0];
        }
        ParameterGradients.AssertMatchFiniteDifferences(model, Evaluate, eps: 3e-3, absolute: 1e-3, relative: 2e-2);
    }

    [Fact]
    public void ACheckpointScoresAsTheModelItSaved()
    {
        var model = Model(Tiny);
        var path = Path.Combine(Directory.CreateTempSubdirectory("lodestar-feed-").FullName, "ranker.safetensors");
        model.Save(path);
        var loaded = FeedRankerModel.Load(path);
        var random = new SeededRandom(2);
        var history = Events(5, random);
        RankedPost[] candidates = [Post(random), Post(random)];
        var features = Features(2, random);
        Assert.Equal(model.Score(history, candidates, features), loaded.Score(history, candidates, features));
        Assert.Equal(Tiny, loaded.Config);
    }

    [Fact]
    public void BadInputNamesItsFault()
    {
        var model = Model(Tiny);
        var random = new SeededRandom(4);
        var unknownFormat = Assert.Throws<ArgumentException>(() => model.Score([], [new RankedPost(42, 9, "x", 1)], new float[3]));
        Assert.Contains("post 42: format 9", unknownFormat.Message, StringComparison.Ordinal);
        var features = Assert.Throws<ArgumentException>(() => model.Score([], [Post(random), Post(random)], new float[5]));
        Assert.Contains("2 candidates need 6 features", features.Message, StringComparison.Ordinal);
        var config = Assert.Throws<InvalidConfigException>(() => new FeedRankerModel(Tiny with { Heads = 3 }, 1));
        Assert.Contains("FeedRankerConfig.Heads = 3", config.Message, StringComparison.Ordinal);
    }
}
