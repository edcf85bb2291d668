// A small SASRec trained end to end on a synthetic sequential pattern: the loss falls, it beats
// most-popular in the same evaluator, checkpoints reload to the same scores, and an interrupted run resumes bit for bit.
using Lodestar.Models.SasRec;
using Lodestar.Training.Loop;
using Lodestar.Training.SeqRec;
using Lodestar.Features.SeqRec;
using Lodestar.Tensors.Serialization;

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

    private static SeqRecConfig SmallConfig(int epochs, bool relativeBias = false, float dropout = 0f, ItemSoftmax softmax = ItemSoftmax.Full) => new()
    {
        Model = SeqRecModelKind.Sasrec,
        Seed = 4,
        Sasrec = new SasRecConfig
        {
            MaxLength = 8, Channels = 16, Heads = 2, FeedForward = 32, Layers = 1, Dropout = dropout, RelativeBias = relativeBias,
            Softmax = softmax, SampledNegatives = 8,
        },
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
        Assert.True(File.Exists(Path.Combine(run, TrainingLoop.BestFile)));

        // The best checkpoint reloads to a model that reproduces the recorded test metrics exactly.
        var loaded = SeqRecRun.LoadModel(run, RunRecord<SeqRecConfig>.Read(run), data);
        var again = SeqRecRun.Evaluate(loaded, data.Test, record.Config.Evaluation, "test", null);
        Assert.Equal(record.Test, again.Metrics);
    }

    [Fact]
    public void AnInterruptedRunResumesMidEpochToTheSameWeights()
    {
        // Dropout and sampled negatives draw inside every step, so the resumed epoch must restore its generator
        // and the dropout counters, not only the weights and AdamW's moments.
        var data = PatternData();
        var config = SmallConfig(epochs: 3, dropout: 0.2f, softmax: ItemSoftmax.Sampled);
        var straightRun = Path.Combine(_directory, "straight");
        var straight = SeqRecRun.Train(config, data, straightRun);
        var resumedRun = Path.Combine(_directory, "resumed");
        // 150 users in batches of 16: 10 steps an epoch, so step 14 is inside the second epoch.
        var interrupted = SeqRecRun.Train(config, data, resumedRun, new LoopOptions(StopAfterSteps: 14));
        Assert.Equal(RunStatus.Interrupted, interrupted.Status);
        Assert.Single(interrupted.Epochs);
        Assert.Equal(1, TrainingLoop.ReadState(Path.Combine(resumedRun, TrainingLoop.LastFile)).Epoch);
        Assert.Equal(4, TrainingLoop.ReadState(Path.Combine(resumedRun, TrainingLoop.LastFile)).Batch);
        Assert.Throws<ArgumentException>(() => SeqRecRun.Train(config, data, resumedRun));
        Assert.Throws<ArgumentException>(() => SeqRecRun.Train(config with { Seed = 5 }, data, resumedRun, new LoopOptions(Resume: true)));
        var resumed = SeqRecRun.Train(config, data, resumedRun, new LoopOptions(Resume: true));
        Assert.Equal(RunStatus.Finished, resumed.Status);
        Assert.Equal(straight.Epochs.Select(e => e.TrainLoss), resumed.Epochs.Select(e => e.TrainLoss));
        Assert.Equal(straight.Test, resumed.Test);
        // Resuming a finished run returns its record as it stands: nothing is trained or tested again.
        var again = SeqRecRun.Train(config, data, resumedRun, new LoopOptions(Resume: true));
        Assert.Equal(resumed.Test, again.Test);
        Assert.Equal(resumed.WallSeconds, again.WallSeconds);
        foreach (var file in new[] { TrainingLoop.BestFile, TrainingLoop.LastFile })
        {
            using var a = SafeTensorsFile.Read(Path.Combine(straightRun, file));
            using var b = SafeTensorsFile.Read(Path.Combine(resumedRun, file));
            Assert.Equal(a.Entries.Select(e => e.Name), b.Entries.Select(e => e.Name));
            Assert.All(a.Entries, e => Assert.True(a.GetFloat32(e.Name).SequenceEqual(b.GetFloat32(e.Name)), $"{file}: {e.Name} differs after resume"));
        }
    }
}
