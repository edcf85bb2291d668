// The speed measurement's bookkeeping (not its speed): every (batch, threads) point is measured, GFLOP/s is
// the counted FLOPs over the measured time, the kernel thread count is restored, and the rounds protocol's medians.
using Lodestar.Kernels;
using Lodestar.Models.JobMatching;
using Lodestar.Bench.JobMatching;
using Lodestar.Training.JobMatching;
using Lodestar.Training.Tests.JobMatching;
using Lodestar.Training.Loop;
using Lodestar.Features.JobMatching;

namespace Lodestar.Bench.Tests;

public sealed class MatchSpeedTests(TinyMatchWorld world) : IClassFixture<TinyMatchWorld>
{
    [Fact]
    public void SpeedPointsCoverEveryBatchAndThreadCountAndRestoreTheThreads()
    {
        var model = new MatchModel(MatchRole.Student, world.Config.Model with { EmbeddingChannels = 8 }, world.Data.VocabSize, world.Data.Layout);
        var examples = world.Data.In(MatchSplit.Test).ToList();
        var before = KernelThreads.Count;
        var report = MatchSpeedBench.Measure("tiny", model, examples, machinePeakGflops: 100, batchSizes: [1, 4], threads: [1, 2], passes: 2, secondsPerPoint: 0.02);
        Assert.Equal(before, KernelThreads.Count);
        Assert.Equal([(1, 1), (1, 2), (4, 1), (4, 2)], report.Points.Select(p => (p.Batch, p.Threads)));
        // Each point times 8 length-bucketed batches; each batch is cut to its longest pair and sorted batches grow.
        var batches = MatchSpeedBench.Batches(model, examples, 4, 8);
        Assert.Equal(8, batches.Count);
        Assert.All(batches, b => Assert.Equal(4 * b.Length, b.Keep.Length));
        Assert.True(batches.Zip(batches.Skip(1)).All(p => p.First.Length <= p.Second.Length));
        var flops = batches.Sum(b => model.ForwardFlops(b.Keep, 4)) / 8;
        foreach (var point in report.Points.Where(p => p.Batch == 4))
        {
            Assert.Equal(flops, point.Gflops * 1e9 * point.SecondsPerBatch, 1e-3 * flops);
            Assert.Equal(point.Gflops / 100, point.FractionOfPeak, 12);
            Assert.Equal(4 / point.SecondsPerBatch, point.PairsPerSecond, 6);
        }
        Assert.Same(report.Points.Where(p => p.Batch == 4).MinBy(p => p.SecondsPerBatch), report.Best(4));
    }

    [Fact]
    public void TheRoundsProtocolKeepsEveryRoundOfEveryModelAndReportsTheMedian()
    {
        var small = new MatchModel(MatchRole.Student, world.Config.Model with { EmbeddingChannels = 8 }, world.Data.VocabSize, world.Data.Layout);
        var other = new MatchModel(MatchRole.Student, world.Config.Model with { EmbeddingChannels = 8, Seed = 2 }, world.Data.VocabSize, world.Data.Layout);
        var examples = world.Data.In(MatchSplit.Test).ToList();
        var lines = new List<string>();
        var results = MatchSpeedProtocol.Run([("a", small, examples), ("b", other, examples)], 4, [1], 3, lines.Add);
        Assert.Equal(3, lines.Count);
        Assert.Equal(["a", "b"], results.Select(r => r.Name));
        foreach (var result in results)
        {
            Assert.Equal([1, 2, 3], result.Rounds.Select(r => r.Round));
            Assert.All(result.Rounds, r => Assert.Equal(r.Gflops / r.PeakGflops, r.FractionOfPeak, 12));
            var sorted = result.Rounds.Select(r => r.FractionOfPeak).Order().ToArray();
            Assert.Equal(sorted[1], result.MedianFraction);
            Assert.Equal(sorted[0], result.MinFraction);
            Assert.Equal(sorted[2], result.MaxFraction);
            Assert.Equal(1, result.Threads);
        }
        // Both models of a round are measured against that round's one peak.
        Assert.Equal(results[0].Rounds.Select(r => r.PeakGflops), results[1].Rounds.Select(r => r.PeakGflops));
        Assert.Equal(2.5, Lodestar.Core.Statistics.Median([4, 1, 2, 3]));
        Assert.Throws<ArgumentException>(() => MatchSpeedProtocol.Run([("a", small, examples)], 4, [1], 0));
    }

    [Fact]
    public void TheProfileSeesTheForwardOpsAndItsGemms()
    {
        var model = new MatchModel(MatchRole.Student, world.Config.Model with { EmbeddingChannels = 8 }, world.Data.VocabSize, world.Data.Layout);
        var rows = MatchSpeedProtocol.Profile(model, world.Data.In(MatchSplit.Test).ToList(), 4, batches: 2, repeats: 2);
        var whole = Assert.Single(rows, r => r.Section == "forward");
        Assert.Equal((MatchSpeedProtocol.WholePass, 4L), (whole.Name, whole.Calls));
        var gemms = rows.Where(r => r.Section == "gemm").ToList();
        Assert.NotEmpty(gemms);
        Assert.All(gemms, g => Assert.True(g.Flops > 0));
        Assert.True(gemms.Sum(g => g.Milliseconds) < whole.Milliseconds);
        Assert.Null(Lodestar.Tensors.OpProfile.Current);
    }
}
