// A trained match run in float32, with an int8 body and in int8 everywhere: the figures of each, float32 against itself
// with no tie or swap, and the separation count checked on a hand-made member.
using Lodestar.Compression.JobMatching;
using Lodestar.Evaluation.Match;
using Lodestar.Features.JobMatching;
using Lodestar.Models.JobMatching;
using Lodestar.Training.JobMatching;
using Lodestar.Training.Tests.JobMatching;

namespace Lodestar.Compression.Tests;

public class MatchPrecisionTests(TinyMatchWorld world) : IClassFixture<TinyMatchWorld>
{
    [Fact]
    public void EachPrecisionIsMeasuredOnTheTestSplitBesideFloat32()
    {
        var config = world.In("precision").WithTraining(t => t with { Epochs = 6, Patience = 6, LearningRate = 1e-2f });
        new MatchTrainer(MatchRole.PolicyTeacher, config, world.Data).Train();
        var comparison = MatchPrecision.Compare(config.RunDirectory(MatchRole.PolicyTeacher));
        Assert.Equal("policy-teacher", comparison.Role);
        Assert.Equal(MatchPrecision.VariantNames, comparison.Variants.Select(v => v.Name));
        Assert.Equal(world.Data.In(MatchSplit.Test).Count(), comparison.TestPairs);
        var (full, body, everything, bf16) = (comparison.Variants[0], comparison.Variants[1], comparison.Variants[2], comparison.Variants[3]);
        Assert.Empty(full.QuantizedLayers);
        Assert.DoesNotContain("encoder.head", body.QuantizedLayers);
        Assert.Contains("encoder.head", everything.QuantizedLayers);
        Assert.Equal(body.QuantizedLayers, bf16.QuantizedLayers);
        Assert.Equal((0.0, 0.0), (full.TiedShare, full.SwappedShare));
        Assert.True(full.TopPairs > 100, $"{full.TopPairs} top-10 pairs");
        // The int8 variants move some scores but keep the model's figures near float32's.
        Assert.True(body.SwappedShare > 0 || everything.SwappedShare > 0 || body.TiedShare > 0, "int8 changed no order among the top 10");
        foreach (var v in comparison.Variants.Skip(1))
        {
            Assert.InRange(v.Metrics[MatchMetrics.NdcgPolicy], full.Metrics[MatchMetrics.NdcgPolicy] - 0.05, full.Metrics[MatchMetrics.NdcgPolicy] + 0.05);
        }
    }

    [Fact]
    public void SeparationCountsTiesAndSwapsAmongEachMembersTopTen()
    {
        // Member 1 has 12 jobs (only its top 10 by the reference count), member 2 three; reference scores are distinct.
        var examples = Enumerable.Range(0, 12).Select(j => Example(1, j)).Concat(Enumerable.Range(0, 3).Select(j => Example(2, j))).ToList();
        float[] reference = [.. Enumerable.Range(0, 12).Select(j => 20f - j), 3f, 2f, 1f];
        var scores = (float[])reference.Clone();
        scores[1] = scores[0];                     // member 1: its first two tie
        (scores[13], scores[14]) = (1f, 2f);       // member 2: its last two swap
        scores[11] = 100f;                         // outside member 1's top 10: not counted
        var (tied, swapped, pairs) = MatchPrecision.Separation(examples, reference, scores);
        Assert.Equal(45 + 3, pairs);
        Assert.Equal(1.0 / 48, tied, 12);
        Assert.Equal(1.0 / 48, swapped, 12);
    }

    private static MatchExample Example(long member, long job) => MatchExample.Unlabelled(member, job, new EncodedPair([1], [1], 0), 0);
}
