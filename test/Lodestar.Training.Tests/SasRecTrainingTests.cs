// A small SASRec trained end to end on a synthetic sequential pattern: the loss falls, it beats
// most-popular in the same evaluator, checkpoints reload to the same scores, and resume continues a run.
using Lodestar.Models.SasRec;
using Lodestar.Training;
using Lodestar.Features.SeqRec;

namespace Lodestar.Training.Tests;

public sealed class SasRecTrainingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-sasrec-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // 150 users walk one of two interleaved cycles over 30 items (odd users forwards, even users backwards),
    // so the next item depends on the last two items, not on popularity (uniform by construction).
    private SequenceSplits PatternData()
    {
        var random = new Random(21);
        var lines = Enumerable.Range(1, 150).Select(u =>
        {
            var start = random.Next(30);
            var direction = u % 2 == 0 ? 29 : 1;
            return $"{u} " + string.Join(' ', Enumerable.Range(0, 7).Select(i => 1 + ((start + (i * direction)) % 30)));
        });
        var path = Path.Combine(_directory, "pattern.txt");
        File.WriteAllLines(path, lines);
        return SeqRecData.Load(path);
    }

    private static SeqRecConfig SmallConfig(int epochs, bool relativeBias = false) => new()
    {
        Model = SeqRecModelKind.Sasrec,
        Seed = 4,
        Sasrec = new SasRecConfig { MaxLength = 8, Channels = 16, Heads = 2, FeedForward = 32, Layers = 1, Dropout = 0f, RelativeBias = relativeBias },
        Training = new TrainingConfig { Epochs = epochs, BatchSize = 16, LearningRate = 5e-3f, WarmupSteps = 5, Patience = 100 },
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LossFallsAndTheModelBeatsMostPopular(bool relativeBias)
    {
        var data = PatternData();
        var run = Path.Combine(_directory, "sasrec");
        var record = SeqRecRun.Train(SmallConfig(epochs: 12, relativeBias), data, run);
        Assert.Equal("finished", record.Status);
        Assert.True(record.Epochs[^1].TrainLoss < 0.5 * record.Epochs[0].TrainLoss,
            $"loss {record.Epochs[0].TrainLoss} -> {record.Epochs[^1].TrainLoss}");
        var popular = SeqRecRun.Train(SmallConfig(1) with { Model = SeqRecModelKind.Popular }, data, Path.Combine(_directory, "popular"));
        Assert.True(record.Test!["ndcg@10"] > 2 * popular.Test!["ndcg@10"], $"sasrec {record.Test["ndcg@10"]} vs popular {popular.Test["ndcg@10"]}");
        Assert.True(File.Exists(Path.Combine(run, SasRecCheckpoint.BestFile)));

        // The best checkpoint reloads to a model that reproduces the recorded test metrics exactly.
        var loaded = SeqRecRun.LoadModel(run, RunRecord.Read(run), data);
        var again = SeqRecRun.Evaluate(loaded, data.Test, record.Config.Evaluation, "test", null);
        Assert.Equal(record.Test, again.Metrics);
    }

    [Fact]
    public void ResumingContinuesExactlyAsAnUninterruptedRun()
    {
        var data = PatternData();
        var straight = SeqRecRun.Train(SmallConfig(epochs: 4), data, Path.Combine(_directory, "straight"));
        var resumedRun = Path.Combine(_directory, "resumed");
        SeqRecRun.Train(SmallConfig(epochs: 2), data, resumedRun);
        // Continue the 2-epoch run to 4 epochs: the config differs only in the epoch bound, so rewrite it.
        var partial = RunRecord.Read(resumedRun);
        (partial with { Config = SmallConfig(epochs: 4) }).Write(resumedRun);
        var resumed = SeqRecRun.Train(SmallConfig(epochs: 4), data, resumedRun, resume: true);
        Assert.Equal(straight.Epochs.Select(e => e.TrainLoss), resumed.Epochs.Select(e => e.TrainLoss));
        Assert.Equal(straight.Test, resumed.Test);
    }
}
