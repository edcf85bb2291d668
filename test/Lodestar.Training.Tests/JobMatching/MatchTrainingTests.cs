// End-to-end training of the match models on a tiny world: losses fall, the policy teacher beats the
// label-frequency baseline, a killed run resumes bit for bit, and teacher outputs are cached per version.
using Lodestar.Models.JobMatching;
using Lodestar.Tensors.Serialization;
using Lodestar.Training.JobMatching;
using Lodestar.Features.JobMatching;
using Lodestar.Training.Loop;

namespace Lodestar.Training.Tests.JobMatching;

// Both classes run teachers through TeacherCache, whose forward-pass counter is process-wide: one collection runs them in turn.
[Collection("teacher cache")]
public class MatchTrainingTests(TinyMatchWorld world) : IClassFixture<TinyMatchWorld>
{
    [Fact]
    public void DataSetHasEverySplitAndBothKindsOfLabel()
    {
        var examples = world.Data.Examples;
        Assert.All(Enum.GetValues<MatchSplit>(), split => Assert.Contains(examples, e => e.Split == split));
        Assert.Contains(examples, e => e.PolicyLevels is not null);
        Assert.Contains(examples, e => e.Applied == 1);
        Assert.Contains(examples, e => e.Applied == 0);
        Assert.All(examples, e => Assert.Equal(world.Config.Model.MaxTokens, e.Tokens.Length));
        // A member's pairs never straddle splits.
        Assert.All(examples.GroupBy(e => e.MemberId), g => Assert.Single(g.Select(e => e.Split).Distinct()));
    }

    [Fact]
    public void ExamplesCarryTheirViewDayAndTheStudentsLabelWindowCountsBackFromTheLast()
    {
        var examples = world.Data.Examples;
        var lastDay = examples.Max(e => e.Day);
        // A pair nobody viewed is shown as of the last day; viewed pairs spread over the days of the world.
        Assert.All(examples.Where(e => e.Applied < 0), e => Assert.Equal(lastDay, e.Day));
        var viewDays = examples.Where(e => e.Applied >= 0).Select(e => e.Day).Distinct().ToList();
        Assert.True(viewDays.Count > 3 && viewDays.Min() < lastDay - 2, $"view days {string.Join(", ", viewDays.Order())}");
        Assert.Equal(int.MinValue, new MatchTrainer(MatchRole.Student, world.Config, world.Data).ApplyLabelsFromDay);
        var windowed = world.Config with { Distillation = world.Config.Distillation with { ApplyLabelDays = 2 } };
        Assert.Equal(lastDay - 1, new MatchTrainer(MatchRole.Student, windowed, world.Data).ApplyLabelsFromDay);
        // Configs without a window serialize as before, so the recipe hashes of earlier runs still name them.
        var json = System.Text.Json.JsonSerializer.Serialize(world.Config, RunJson.Options);
        Assert.DoesNotContain("apply_label_days", json);
        Assert.Contains("\"apply_label_days\":2", System.Text.Json.JsonSerializer.Serialize(windowed, RunJson.Options).Replace(" ", ""));
    }

    [Fact]
    public void PolicyTeacherLossFallsAndBeatsTheLabelFrequencyBaseline()
    {
        var config = world.In("policy").WithTraining(t => t with { Epochs = 8, Patience = 8, LearningRate = 1e-2f });
        var trainer = new MatchTrainer(MatchRole.PolicyTeacher, config, world.Data);
        var record = trainer.Train();
        Assert.True(record.Epochs[^1].TrainLoss < record.Epochs[0].TrainLoss, $"train loss {record.Epochs[0].TrainLoss} → {record.Epochs[^1].TrainLoss}");
        var best = record.BestValidation!["loss"];
        Assert.True(best < Baseline(trainer), $"validation loss {best} vs baseline {Baseline(trainer)}");
        Assert.True(File.Exists(Path.Combine(config.RunDirectory(MatchRole.PolicyTeacher), RunRecord<MatchTrainingConfig>.FileName)));
        Assert.Equal(RunStatus.Finished, record.Status);
        Assert.True(record.Test!["loss"] > 0);
    }

    [Fact]
    public void ResumeAfterInterruptionIsBitIdentical()
    {
        var straight = world.In("straight").WithTraining(t => t with { Epochs = 2 });
        new MatchTrainer(MatchRole.ClickTeacher, straight, world.Data).Train();
        var killed = world.In("killed").WithTraining(t => t with { Epochs = 2 });
        // Interrupt in the middle of the second epoch, wherever that falls for this data.
        var trainCount = new MatchTrainer(MatchRole.ClickTeacher, killed, world.Data).Select(MatchSplit.Train).Count;
        var stepsPerEpoch = (trainCount + killed.Training.BatchSize - 1) / killed.Training.BatchSize;
        Assert.True(stepsPerEpoch >= 2, $"the tiny world gives {trainCount} click examples: too few to interrupt mid-epoch");
        var stopAfter = stepsPerEpoch + (stepsPerEpoch / 2);
        var first = new MatchTrainer(MatchRole.ClickTeacher, killed, world.Data).Train(new LoopOptions(StopAfterSteps: stopAfter));
        Assert.Equal(RunStatus.Interrupted, first.Status);
        Assert.Throws<ArgumentException>(() => new MatchTrainer(MatchRole.ClickTeacher, killed, world.Data).Train());
        var resumed = new MatchTrainer(MatchRole.ClickTeacher, killed, world.Data).Train(new LoopOptions(Resume: true));
        Assert.Equal(RunStatus.Finished, resumed.Status);
        using var a = SafeTensorsFile.Read(Path.Combine(straight.RunDirectory(MatchRole.ClickTeacher), TrainingLoop.LastFile));
        using var b = SafeTensorsFile.Read(Path.Combine(killed.RunDirectory(MatchRole.ClickTeacher), TrainingLoop.LastFile));
        Assert.Equal(a.Entries.Select(e => e.Name).Order(), b.Entries.Select(e => e.Name).Order());
        foreach (var name in a.Entries.Select(e => e.Name))
        {
            Assert.True(a.GetFloat32(name).SequenceEqual(b.GetFloat32(name)), $"tensor {name} differs after resume");
        }
    }

    [Fact]
    public void TeacherOutputsAreCachedPerTeacherVersion()
    {
        var student = world.StudentWithTeachers("cache");
        var config = world.In("cache").WithTraining(t => t with { Epochs = 1 });
        var batches = (world.Data.Examples.Count + 63) / 64;
        lock (CacheCounter)
        {
            var before = TeacherCache.ForwardPasses;
            new MatchTrainer(MatchRole.Student, student, world.Data).Train();
            Assert.Equal(before + (2 * batches), TeacherCache.ForwardPasses);
            new MatchTrainer(MatchRole.Student, student with { RunName = "student-again" }, world.Data).Train();
            Assert.Equal(before + (2 * batches), TeacherCache.ForwardPasses);
            // A new click teacher (other seed) is a new version: only its outputs are computed.
            var newClick = config with { RunName = "click-teacher-seed-9", Model = config.Model with { Seed = 9 } };
            new MatchTrainer(MatchRole.ClickTeacher, newClick, world.Data).Train();
            new MatchTrainer(MatchRole.Student, student with { RunName = "student-new-click", ClickTeacherRun = newClick.RunDirectory(MatchRole.ClickTeacher) }, world.Data).Train();
            Assert.Equal(before + (3 * batches), TeacherCache.ForwardPasses);
        }
    }

    [Fact]
    public void InitFromStartsTheRunFromAnotherRunsWeights()
    {
        var source = world.In("init").WithTraining(t => t with { Epochs = 1 });
        new MatchTrainer(MatchRole.PolicyTeacher, source, world.Data).Train();
        // A learning rate of 1e-9 leaves the starting weights in place, so the run's best weights are its start.
        var tuned = source with { RunName = "click-from-policy", InitFrom = source.RunDirectory(MatchRole.PolicyTeacher), Training = source.Training with { LearningRate = 1e-9f } };
        new MatchTrainer(MatchRole.ClickTeacher, tuned, world.Data).Train();
        var fresh = tuned with { RunName = "click-fresh", InitFrom = null };
        new MatchTrainer(MatchRole.ClickTeacher, fresh, world.Data).Train();
        float[] Head(MatchTrainingConfig config, MatchRole role) => MatchInference.LoadBest(config.RunDirectory(role), role, world.Data.VocabSize, world.Data.Layout)
            .NamedParameters().Single(p => p.Name == "encoder.head.weight").Parameter.Data.ToArray();
        var policy = Head(source, MatchRole.PolicyTeacher);
        Assert.Equal(policy, Head(tuned, MatchRole.ClickTeacher), (a, b) => Math.Abs(a - b) < 1e-5f);
        Assert.True(policy.Zip(Head(fresh, MatchRole.ClickTeacher)).Max(p => Math.Abs(p.First - p.Second)) > 1e-3f);
        var wider = tuned with { RunName = "click-wider", Model = tuned.Model with { Channels = 32 } };
        var error = Assert.Throws<InvalidDataException>(() => new MatchTrainer(MatchRole.ClickTeacher, wider, world.Data).Train());
        Assert.Contains("encoder.tok_emb.weight", error.Message, StringComparison.Ordinal);
    }

    private static readonly object CacheCounter = new();

    /// <summary>Validation loss of predicting each dimension's training label frequencies and the mean overall.</summary>
    private double Baseline(MatchTrainer trainer)
    {
        var train = trainer.Select(MatchSplit.Train);
        var validation = trainer.Select(MatchSplit.Validation);
        var layout = world.Data.Layout;
        double total = 0;
        for (var d = 0; d < layout.DimensionLevels.Count; d++)
        {
            var frequency = new double[layout.DimensionLevels[d]];
            foreach (var e in train)
            {
                frequency[e.PolicyLevels![d]] += 1.0 / train.Count;
            }
            total += validation.Average(e => -Math.Log(Math.Max(frequency[e.PolicyLevels![d]], 1e-6))) / layout.DimensionLevels.Count;
        }
        var mean = train.Average(e => (double)e.PolicyOverall);
        total += validation.Average(e => -((e.PolicyOverall * Math.Log(mean)) + ((1 - e.PolicyOverall) * Math.Log(1 - mean))));
        return total;
    }
}
