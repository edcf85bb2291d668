// The speed measurement's bookkeeping (not its speed): every (batch, threads) point is measured, GFLOP/s is
// the counted FLOPs over the measured time, and the kernel thread count is restored afterwards.
using Lodestar.Kernels;
using Lodestar.Models.JobMatching;
using Lodestar.Training.JobMatching;

namespace Lodestar.Training.Tests.JobMatching;

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
}
