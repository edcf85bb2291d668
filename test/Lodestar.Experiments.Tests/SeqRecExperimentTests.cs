// Multi-seed experiments: one run directory per seed, a summary with mean and sample std over the seeds,
// finished seeds reused by a rerun, and a directory holding another config refused.
using Lodestar.Core;
using Lodestar.Models.SasRec;
using Lodestar.Training.Loop;
using Lodestar.Training.SeqRec;
using Lodestar.Experiments.SeqRec;
using Lodestar.Features.SeqRec;

namespace Lodestar.Experiments.Tests;

public sealed class SeqRecExperimentTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-seqrec-exp-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private SequenceSplits CycleData()
    {
        var random = new Random(13);
        var lines = Enumerable.Range(1, 80).Select(u =>
        {
            var start = random.Next(25);
            return $"{u} " + string.Join(' ', Enumerable.Range(0, 6).Select(i => 1 + ((start + i) % 25)));
        });
        var path = Path.Combine(_directory, "cycle.txt");
        File.WriteAllLines(path, lines);
        return SeqRecData.Load(path);
    }

    [Fact]
    public void SpreadIsTheMeanAndSampleStandardDeviation()
    {
        var spread = SeedSpread.Of([1.0, 2.0, 3.0]);
        Assert.Equal(new SeedSpread(2.0, 1.0, 1.0, 3.0), spread);
        Assert.Equal(0.0, SeedSpread.Of([0.5]).Std);
        Assert.Throws<ArgumentException>(() => SeedSpread.Of([]));
    }

    [Fact]
    public void SeedsTrainIntoTheirOwnRunsAndSummariseAcrossThem()
    {
        var data = CycleData();
        var config = new SeqRecConfig
        {
            Model = SeqRecModelKind.Sasrec,
            Sasrec = new SasRecConfig { MaxLength = 6, Channels = 8, Heads = 2, FeedForward = 16, Layers = 1, Dropout = 0f },
            Training = new TrainingConfig { Epochs = 3, BatchSize = 16, LearningRate = 5e-3f, WarmupSteps = 2 },
        };
        var experiment = Path.Combine(_directory, "exp");
        var reused = new List<bool>();
        var summary = SeqRecExperiment.Run(config, [5, 6], data, experiment, onSeedDone: (_, _, r) => reused.Add(r));
        Assert.Equal([false, false], reused);
        var runs = new[] { 5, 6 }.Select(s => RunRecord<SeqRecConfig>.Read(SeqRecExperiment.RunDirectory(experiment, s))).ToArray();
        Assert.Equal([5, 6], runs.Select(r => r.Config.Seed));
        var ndcg = runs.Select(r => r.Test!["ndcg@10"]).ToArray();
        Assert.NotEqual(ndcg[0], ndcg[1]);
        Assert.Equal(SeedSpread.Of(ndcg), summary.Test["ndcg@10"]);
        Assert.True(File.Exists(Path.Combine(experiment, SeqRecSummary.FileName)));

        // The same command again reuses both finished seeds and gives the same summary.
        reused.Clear();
        var again = SeqRecExperiment.Run(config, [5, 6], data, experiment, onSeedDone: (_, _, r) => reused.Add(r));
        Assert.Equal([true, true], reused);
        Assert.Equal(summary.Test["ndcg@10"], again.Test["ndcg@10"]);

        // Another config into the same directory is refused, naming the run.
        var error = Assert.Throws<ArgumentException>(() =>
            SeqRecExperiment.Run(config with { Training = config.Training with { Epochs = 4 } }, [5], data, experiment));
        Assert.Contains("seed-5", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SeqRecExperiment.Run(config, [7, 7], data, experiment));
    }
}
