// The SASRec model on the engine: batches pad on the right, causality holds (a later item never changes an
// earlier position's scores), the sampled candidate set is exact, and the scores agree with the loss path.
using Lodestar.Core;
using Lodestar.Models.SasRec;
using Lodestar.Nn;
using Lodestar.Tensors;

namespace Lodestar.Models.Tests;

public class SasRecModelTests
{
    private static readonly SasRecConfig Tiny = new() { MaxLength = 6, Channels = 8, Heads = 2, FeedForward = 16, Layers = 1, Dropout = 0f };

    [Fact]
    public void TrainingBatchIsRightPaddedAndKeepsTheLastPositions()
    {
        ReadOnlyMemory<int>[] sequences = [new[] { 1, 2, 3 }, new[] { 4, 5, 6, 7, 8, 9, 10, 11 }];
        var batch = SequenceBatch.ForTraining(sequences, [0, 1], maxLength: 4);
        Assert.Equal(4, batch.Length);
        // Sequence 0: inputs 1 2, targets 2 3. Sequence 1 keeps the last 4 inputs 7 8 9 10, targets 8 9 10 11.
        Assert.Equal([1, 2, 0, 0, 7, 8, 9, 10], batch.Tokens);
        Assert.Equal([0, 1, 4, 5, 6, 7], batch.TargetRows);
        Assert.Equal([2, 3, 8, 9, 10, 11], batch.Labels);
        Assert.Equal([1, 3], batch.LastPositions());
    }

    [Fact]
    public void ScoresOfAPrefixDoNotDependOnPaddingOrLaterItems()
    {
        var model = new SasRecModel(Tiny, 12, seed: 5);
        model.Eval();
        var alone = new float[13];
        model.ScoreBatch([new[] { 3, 4 }], alone);
        // The same history batched beside a longer one (so it gets padded) scores the same.
        var batched = new float[2 * 13];
        model.ScoreBatch([new[] { 3, 4 }, new[] { 1, 2, 3, 4, 5 }], batched);
        for (var j = 1; j <= 12; j++)
        {
            Assert.Equal(alone[j], batched[j], 4);
        }
    }

    [Fact]
    public void ScoringInTrainingModeIsRefused()
    {
        var model = new SasRecModel(Tiny, 12, seed: 5);
        Assert.Throws<InvalidOperationException>(() => model.ScoreBatch([new[] { 1 }], new float[13]));
    }

    [Fact]
    public void FullSoftmaxLossMatchesTheScoresOfTheLastPosition()
    {
        // A one-target batch: the loss is −log softmax(scores)[label] computed from ScoreBatch's row.
        var model = new SasRecModel(Tiny, 12, seed: 6);
        model.Eval();
        ReadOnlyMemory<int>[] sequences = [new[] { 2, 7 }];
        var graph = new Graph(recordGradients: false);
        var loss = model.Loss(graph, SequenceBatch.ForTraining(sequences, [0], Tiny.MaxLength)).Data[0];
        var row = new float[13];
        model.ScoreBatch([new[] { 2 }], row);
        var logSum = Math.Log(row.Sum(v => Math.Exp(v)));
        Assert.Equal(logSum - row[7], loss, 4);
    }

    [Fact]
    public void SampledCandidatesHoldEachTargetOnceWithItsColumn()
    {
        var sampler = new ItemSampler([0f, 10f, 0f, 5f, 1f]);
        var candidates = SampledCandidates.Draw([3, 1, 3], negatives: 50, sampler, new SeededRandom(2));
        Assert.Equal(candidates.Items.Distinct().Count(), candidates.Items.Length);
        Assert.Equal([3, 1], candidates.Items[..2]);
        Assert.Equal([0, 1, 0], candidates.Columns);
        // q(j) = (count + 1) / Σ(count + 1) = (count + 1) / 20.
        Assert.Equal(-Math.Log(6.0 / 20), candidates.NegativeLogQ[0], 5);
        Assert.Equal(-Math.Log(11.0 / 20), candidates.NegativeLogQ[1], 5);
    }

    [Fact]
    public void SamplerFollowsPopularity()
    {
        var sampler = new ItemSampler([0f, 99f, 0f, 0f]);
        var random = new SeededRandom(3);
        var draws = Enumerable.Range(0, 4000).Select(_ => sampler.Draw(random)).ToArray();
        Assert.All(draws, d => Assert.InRange(d, 1, 3));
        // P(item 1) = 100 / 102.
        Assert.InRange(draws.Count(d => d == 1) / 4000.0, 0.96, 0.995);
    }

    [Fact]
    public void BadConfigNamesTheField()
    {
        var error = Assert.Throws<InvalidConfigException>(() => new SasRecConfig { Channels = 10, Heads = 3 }.Validate());
        Assert.Contains("SasRecConfig.Heads", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<InvalidConfigException>(() => new SasRecConfig { Channels = 6, Heads = 2, Positions = PositionEncoding.Rotary }.Validate());
        Assert.Contains("Positions", error.Message, StringComparison.Ordinal);
    }
}
