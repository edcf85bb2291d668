// Structured pruning on a trained tiny policy teacher: removing heads, MLP channels and a block gives the logits of the
// original with those units' outputs zeroed; each importance is the gate derivative a finite difference measures; the
// least important units are chosen; the pruned checkpoint loads alone, records what was removed, trains on, and is
// refused by an unpruned model of the original shape by the tensor that differs.
using Lodestar.Compression.JobMatching;
using Lodestar.Core;
using Lodestar.Features.JobMatching;
using Lodestar.Models.JobMatching;
using Lodestar.Nn;
using Lodestar.Tensors;
using Lodestar.Training.JobMatching;
using Lodestar.Training.Tests.JobMatching;

namespace Lodestar.Compression.Tests;

public sealed class TrainedPruningModel : IDisposable
{
    public TrainedPruningModel()
    {
        World = new TinyMatchWorld();
        Config = World.In("pruning").WithTraining(t => t with { Epochs = 3, Patience = 3, LearningRate = 1e-2f }) with
        {
            Model = new MatchModelConfig { Channels = 16, Heads = 4, FeedForward = 32, Layers = 2, MaxTokens = 48 },
        };
        new MatchTrainer(MatchRole.PolicyTeacher, Config, World.Data).Train();
        Run = Config.RunDirectory(MatchRole.PolicyTeacher);
    }

    public TinyMatchWorld World { get; }

    public MatchTrainingConfig Config { get; }

    public string Run { get; }

    public MatchModel Load() => MatchInference.LoadBest(Run, MatchRole.PolicyTeacher, World.Data.VocabSize, World.Data.Layout);

    public List<MatchExample> Labelled(int count) => [.. World.Data.In(MatchSplit.Train).Where(e => e.PolicyLevels is not null).Take(count)];

    public void Dispose() => World.Dispose();
}

public class StructuredPruningTests(TrainedPruningModel trained) : IClassFixture<TrainedPruningModel>
{
    private static readonly PrunedUnits Step = new(StructuredPruning.TaylorCriterion, [], [[1], [0, 3]], [[2, 5], [7]]);

    private Func<Graph, Tensor, IReadOnlyList<MatchExample>, Tensor> PolicyLoss => (graph, logits, batch) => MatchLoss.PolicyHard(graph, logits, trained.World.Data.Layout, batch)!;

    [Fact]
    public void APrunedModelScoresAsTheOriginalWithThoseUnitsSilenced()
    {
        foreach (var step in new[] { Step, Step with { Layers = [0] } })
        {
            var original = trained.Load();
            var pruned = StructuredPruning.Prune(original, step);
            var examples = trained.World.Data.In(MatchSplit.Test).Take(48).ToList();
            var before = MatchScorer.Predict(original, examples);
            var blocks = original.Encoder.Blocks.Blocks;
            var d = blocks[0].Attention.HeadDim;
            for (var l = 0; l < blocks.Count; l++)
            {
                if (step.Layers.Contains(l))
                {
                    // A block whose both sublayers add nothing passes its input through unchanged.
                    Zero(blocks[l].Attention.Proj.Weight, _ => true);
                    blocks[l].Attention.Proj.Bias!.Data.Clear();
                    Zero(blocks[l].Mlp.Fc2.Weight, _ => true);
                    blocks[l].Mlp.Fc2.Bias!.Data.Clear();
                    continue;
                }
                Zero(blocks[l].Attention.Proj.Weight, column => step.Heads[l].Contains(column / d));
                Zero(blocks[l].Mlp.Fc2.Weight, column => step.Channels[l].Contains(column));
            }
            var silenced = MatchScorer.Predict(original, examples);
            var after = MatchScorer.Predict(pruned, examples);
            Assert.True(LargestDifference(before, after) > 1e-4, "the removed units changed nothing: the test could not fail");
            Assert.True(LargestDifference(silenced, after) < 1e-5, $"pruned against silenced: {LargestDifference(silenced, after)}");

            var kept = 2 - step.Layers.Length;
            Assert.Equal(kept, pruned.Config.Layers);
            Assert.Equal(step.Layers.Length == 0 ? [3, 2] : new[] { 2 }, pruned.Config.LayerHeads!);
            Assert.Equal(step.Layers.Length == 0 ? [30, 31] : new[] { 31 }, pruned.Config.LayerFeedForward!);
            Assert.True(pruned.ParameterCount < trained.Load().ParameterCount);
            Assert.Equal([step], pruned.Pruning);
        }
    }

    [Fact]
    public void EachImportanceIsTheGateDerivativeAFiniteDifferenceMeasures()
    {
        var model = trained.Load();
        var batch = trained.Labelled(32);
        var importance = StructuredPruning.Estimate(model, batch, PolicyLoss, batchSize: 32);
        Assert.Equal((1, 32), (importance.Batches, importance.Examples));
        var block = model.Encoder.Blocks.Blocks[1];
        var d = block.Attention.HeadDim;
        var head = Enumerable.Range(0, 4).MaxBy(h => importance.Heads[1][h]);
        var channel = Enumerable.Range(0, 32).MaxBy(k => importance.Channels[1][k]);
        AssertDerivative(importance.Heads[1][head], model, batch, scale => Scale(block.Attention.Proj.Weight, c => c / d == head, scale));
        AssertDerivative(importance.Channels[1][channel], model, batch, scale => Scale(block.Mlp.Fc2.Weight, c => c == channel, scale));
        AssertDerivative(importance.Layers[0], model, batch, scale =>
        {
            var first = model.Encoder.Blocks.Blocks[0];
            Scale(first.Attention.Proj.Weight, _ => true, scale);
            Scale(first.Attention.Proj.Bias!, _ => true, scale);
            Scale(first.Mlp.Fc2.Weight, _ => true, scale);
            Scale(first.Mlp.Fc2.Bias!, _ => true, scale);
        });
        Assert.All(model.Parameters(), p => Assert.True(p.Grad.IsEmpty || !p.Grad.ContainsAnyExcept(0f)));
    }

    [Fact]
    public void TheLeastImportantUnitsAreChosenAndEveryBlockKeepsOneOfEach()
    {
        var importance = new UnitImportance([[0.5, 0.1, 0.9], [0.2, 0.05, 0.3], [0.01, 0.02, 0.03]], [[1, 2], [3, 0.5], [0.1, 0.2]], [5, 1, 3], 1, 1);
        var step = StructuredPruning.Choose(importance, new PruningAmount(Layers: 1, Heads: 3, Channels: 1));
        Assert.Equal([1], step.Layers);
        // Block 1 goes whole; of the rest, block 2's heads are least important but one must stay.
        Assert.Equal([[1], [], [0, 1]], step.Heads);
        Assert.Equal([[], [], [0]], step.Channels);
        var error = Assert.Throws<ArgumentException>(() => StructuredPruning.Choose(importance, new PruningAmount(0, 7, 0)));
        Assert.Contains("7 heads to remove, but only 6 can go", error.Message);
        Assert.Throws<ArgumentException>(() => StructuredPruning.Choose(importance, new PruningAmount(3, 0, 0)));
        Assert.Contains("no examples", Assert.Throws<ArgumentException>(() => StructuredPruning.Estimate(trained.Load(), [], PolicyLoss)).Message);
    }

    [Fact]
    public void APrunedCheckpointLoadsAloneRecordsWhatWasRemovedAndTrainsOn()
    {
        var pruned = StructuredPruning.Prune(trained.Load(), Step);
        var directory = Path.Combine(trained.World.Root, "pruned-step");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, MatchModel.BestFile);
        pruned.Save(path);
        var loaded = MatchModel.Load(path);
        var examples = trained.World.Data.In(MatchSplit.Test).Take(32).ToList();
        Assert.Equal(MatchScorer.Predict(pruned, examples), MatchScorer.Predict(loaded, examples));
        var record = Assert.Single(loaded.Pruning);
        Assert.Equal(Step.Heads, record.Heads);
        Assert.Equal(Step.Channels, record.Channels);
        Assert.Equal(new LayerWidths([3, 2]), loaded.Config.LayerHeads);

        var unpruned = new MatchModel(MatchRole.PolicyTeacher, trained.Config.Model, trained.World.Data.VocabSize, trained.World.Data.Layout);
        var refused = Assert.Throws<InvalidDataException>(() => unpruned.LoadWeights(path));
        Assert.Contains("tensor 'encoder.blocks.0.attn.qkv.weight' has", refused.Message);

        var wrong = trained.Config.Model with { LayerHeads = new LayerWidths([3]) };
        Assert.Contains("LayerHeads", Assert.Throws<InvalidConfigException>(() => wrong.Validate()).Message);

        // Distilling on from the pruned model keeps the record in the new run's checkpoint.
        var onward = trained.Config with { RunsDirectory = Path.Combine(trained.World.Root, "pruned-onward"), Model = loaded.Config, InitFrom = directory };
        new MatchTrainer(MatchRole.PolicyTeacher, onward.WithTraining(t => t with { Epochs = 1 }), trained.World.Data).Train();
        var retrained = MatchModel.Load(Path.Combine(onward.RunDirectory(MatchRole.PolicyTeacher), MatchModel.BestFile));
        Assert.Equal(Step.Heads, Assert.Single(retrained.Pruning).Heads);
        Assert.Equal(loaded.Config.LayerFeedForward, retrained.Config.LayerFeedForward);
    }

    [Fact]
    public void ARunIsPrunedIntoADirectoryAnotherRunCanStartFrom()
    {
        var output = Path.Combine(trained.World.Root, "pruned-run");
        var result = MatchRunPruning.Prune(trained.Run, new PruningAmount(Layers: 1, Heads: 1, Channels: 8), output);
        Assert.Equal("policy-teacher", result.Role);
        Assert.Single(result.Removed.Layers);
        Assert.Equal(1, result.Removed.Heads.Sum(h => h.Length));
        Assert.Equal(8, result.Removed.Channels.Sum(c => c.Length));
        Assert.Equal(1, result.Model.Layers);
        Assert.Equal(trained.Load().ParameterCount, result.Before.Parameters);
        Assert.True(result.After.Parameters < result.Before.Parameters);
        Assert.Equal(trained.World.Data.In(MatchSplit.Validation).Count(e => e.PolicyLevels is not null), result.CalibrationPairs);
        Assert.All(MatchRunPruning.FigureKeys, k => Assert.True(result.Before.Metrics.ContainsKey(k) && result.After.Metrics.ContainsKey(k)));

        var loaded = MatchModel.Load(Path.Combine(output, MatchModel.BestFile));
        Assert.Equal(result.Model, loaded.Config);
        Assert.Equal(result.Removed.Heads, Assert.Single(loaded.Pruning).Heads);
        Assert.True(File.Exists(Path.Combine(output, RunPruningResult.FileName)));
        Assert.True(File.Exists(Path.Combine(output, MatchFeatureSpec.FileName)));
        Assert.ThrowsAny<IOException>(() => MatchRunPruning.Prune(trained.Run, new PruningAmount(0, 1, 0), output));
    }

    private void AssertDerivative(double importance, MatchModel model, List<MatchExample> batch, Action<float> scale)
    {
        const float epsilon = 0.05f;
        scale(1 + epsilon);
        var up = Loss(model, batch);
        scale(1 / (1 + epsilon));
        scale(1 - epsilon);
        var down = Loss(model, batch);
        scale(1 / (1 - epsilon));
        var difference = Math.Abs((up - down) / (2 * epsilon));
        Assert.True(importance > 1e-4, $"importance {importance} is too small to check");
        Assert.True(Math.Abs(difference - importance) <= 0.05 * importance, $"importance {importance}, finite difference {difference}");
    }

    private double Loss(MatchModel model, List<MatchExample> batch)
    {
        model.Eval();
        var graph = new Graph(recordGradients: false);
        var (tokens, keep, length) = MatchScorer.Pack(batch, 0, batch.Count, model.Config.MaxTokens);
        var logits = model.Forward(graph, tokens, batch.Count, length, keep, MatchScorer.MemberLengths(batch, 0, batch.Count));
        return PolicyLoss(graph, logits, batch).Data[0];
    }

    private static void Zero(Tensor weight, Func<int, bool> column) => Scale(weight, column, 0f);

    private static void Scale(Tensor tensor, Func<int, bool> column, float factor)
    {
        var columns = tensor.Columns;
        var data = tensor.Data;
        for (var i = 0; i < data.Length; i++)
        {
            if (column(i % columns))
            {
                data[i] *= factor;
            }
        }
    }

    private static double LargestDifference(float[] a, float[] b) => a.Zip(b, (x, y) => (double)Math.Abs(x - y)).Max();
}
