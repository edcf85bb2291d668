// The compression ablations on the tiny world: each link is taught by the link before it, every arm ends at the same
// size after the same epochs (a chain of students, pruning in steps or at once, the pruned shape from scratch), a rerun
// trains nothing, the report holds the verdicts, and a config that would compare unlike arms is refused by name.
using System.Text.Json;
using Lodestar.Compression.JobMatching;
using Lodestar.Core;
using Lodestar.Evaluation.Match;
using Lodestar.Models.JobMatching;
using Lodestar.Training.JobMatching;
using Lodestar.Training.Loop;
using Lodestar.Training.Tests.JobMatching;

namespace Lodestar.Compression.Tests;

public class CompressionExperimentTests(TinyMatchWorld world) : IClassFixture<TinyMatchWorld>
{
    private static readonly MatchModelConfig Small = new() { Channels = 8, Heads = 2, FeedForward = 16, Layers = 1 };
    private static readonly MatchModelConfig Medium = new() { Channels = 12, Heads = 2, FeedForward = 24, Layers = 1 };

    private CompressionExperimentConfig Config(string name)
    {
        var student = world.In(name);
        var teacher = student.WithTraining(t => t with { Epochs = 1 });
        return new CompressionExperimentConfig
        {
            Student = student,
            PolicyTeacher = teacher,
            ClickTeacher = teacher,
            Seeds = [1, 2],
            Arms =
            [
                new ChainArm { Name = "direct", Stages = [new ChainStage { Model = Small, Epochs = 2 }] },
                new ChainArm { Name = "gradual", Stages = [new ChainStage { Model = Medium, Epochs = 1 }, new ChainStage { Model = Small, Epochs = 1 }] },
            ],
            Out = Path.Combine(student.RunsDirectory, "report"),
            LatencyPairs = 40,
            LatencyRounds = 2,
        };
    }

    [Fact]
    public async Task EachLinkIsTaughtByTheLinkBeforeItAndArmsEndAlike()
    {
        var config = Config("chain");
        var result = CompressionExperiment.Run(config);
        Assert.Equal(2 * (1 + 2), result.Links.Count);
        var policyRun = config.PolicyTeacher.AsTeacherOf(config.Student).RunDirectory(MatchRole.PolicyTeacher);
        foreach (var seed in config.Seeds)
        {
            var direct = result.Links.Single(l => l.Arm == "direct" && l.Seed == seed);
            var (medium, small) = (result.Links.Single(l => l.Arm == "gradual" && l.Seed == seed && l.Stage == 1), result.Links.Single(l => l.Arm == "gradual" && l.Seed == seed && l.Stage == 2));
            Assert.Equal(policyRun, TeacherOf(direct.Run));
            Assert.Equal(policyRun, TeacherOf(medium.Run));
            Assert.Equal(medium.Run, TeacherOf(small.Run));
            Assert.Equal(direct.Parameters, small.Parameters);
            Assert.True(medium.Parameters > small.Parameters);
            Assert.Equal(2, RunRecord<MatchTrainingConfig>.Read(direct.Run).Config.Training.Epochs);
            Assert.Equal(1, RunRecord<MatchTrainingConfig>.Read(small.Run).Config.Training.Epochs);
        }
        Assert.Equal(["direct", "gradual"], result.Arms.Select(a => a.Arm));
        Assert.Empty(result.Arms[0].AgainstFirst);
        Assert.Equal(CompressionExperiment.HeadlineKeys, result.Arms[1].AgainstFirst.Keys);
        var gradual = result.Arms[1].Metrics[MatchMetrics.NdcgPolicy];
        var direct0 = result.Arms[0].Metrics[MatchMetrics.NdcgPolicy];
        Assert.Equal(gradual.Mean - direct0.Mean, result.Arms[1].AgainstFirst[MatchMetrics.NdcgPolicy].Difference, 12);
        Assert.Equal(["policy teacher", "direct", "gradual"], result.Latencies.Select(l => l.Model));
        Assert.All(result.Latencies, l => Assert.True(l.MedianMs > 0 && l.PairsPerSecond > 0));
        Assert.Equal(40, result.LatencyPairs);

        // A rerun resumes every finished run: the same records, nothing trained again.
        var again = CompressionExperiment.Run(config);
        Assert.Equal(result.Links.Select(l => (l.Run, l.TrainingSeconds)), again.Links.Select(l => (l.Run, l.TrainingSeconds)));

        var html = CompressionReport.Write(config.Out, "chain", result);
        var page = File.ReadAllText(html);
        Assert.Contains("Against direct", page);
        Assert.Contains("<svg", page);
        // Read at a glance in a real browser: every section says what it shows, no labels collide, rounded numbers.
        Assert.Empty(await Lodestar.TestSupport.ReportInChromium.Problems(html));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(html, ".json")));
        Assert.Equal(2, json.RootElement.GetProperty("arms").GetArrayLength());
        Assert.Equal(result.Arms[1].AgainstFirst[MatchMetrics.AucApply].Verdict,
            json.RootElement.GetProperty("arms")[1].GetProperty("against_first").GetProperty(MatchMetrics.AucApply).GetProperty("verdict").GetString());
    }

    [Fact]
    public void PruningInStepsAtOnceAndTheShapeFromScratchEndAtOneSize()
    {
        var chain = Config("chain-pruning");
        var config = chain with
        {
            Seeds = [1],
            Arms =
            [
                new ChainArm { Name = "one-shot", Stages = [new ChainStage { Prune = new PruningAmount(0, 1, 16), Epochs = 2 }] },
                new ChainArm { Name = "gradual", Stages = [new ChainStage { Prune = new PruningAmount(0, 0, 8), Epochs = 1 }, new ChainStage { Prune = new PruningAmount(0, 1, 8), Epochs = 1 }] },
                new ChainArm { Name = "scratch", Stages = [new ChainStage { ShapeOf = "one-shot", Epochs = 2 }] },
            ],
        };
        var result = CompressionExperiment.Run(config);
        var finals = result.Arms.Select(a => result.Links.Single(l => l.Arm == a.Arm && l.Stage == config.Arms.Single(c => c.Name == a.Arm).Stages.Length)).ToList();
        Assert.Single(finals.Select(l => l.Parameters).Distinct());
        var teacher = PolicyTeacherOf(config);
        Assert.True(finals[0].Parameters < teacher.ParameterCount);
        // The pruned links start from the pruned weights and keep the record; the scratch link starts from nothing.
        var oneShot = MatchModel.Load(Path.Combine(finals[0].Run, MatchModel.BestFile));
        Assert.Equal(16, Assert.Single(oneShot.Pruning).Channels.Sum(c => c.Length));
        Assert.Equal(2, MatchModel.Load(Path.Combine(finals[1].Run, MatchModel.BestFile)).Pruning.Count);
        var scratch = RunRecord<MatchTrainingConfig>.Read(finals[2].Run).Config;
        Assert.Null(scratch.InitFrom);
        Assert.Equal(oneShot.Config with { Seed = 0 }, scratch.Model with { Seed = 0 });
        Assert.Empty(MatchModel.Load(Path.Combine(finals[2].Run, MatchModel.BestFile)).Pruning);
        Assert.Equal(result.Links.Single(l => l.Arm == "gradual" && l.Stage == 1).Run, TeacherOf(finals[1].Run));

        var unequal = config with { Arms = [config.Arms[0], config.Arms[1] with { Stages = [config.Arms[1].Stages[0], new ChainStage { Prune = new PruningAmount(0, 0, 8), Epochs = 1 }] }] };
        Assert.Contains("arm 'gradual' ends at another student size than arm 'one-shot'", Assert.Throws<InvalidConfigException>(() => unequal.Validate()).Message);
        var forward = config with { Arms = [config.Arms[2], config.Arms[0]] };
        Assert.Contains("shape_of 'one-shot' names no arm listed before it", Assert.Throws<InvalidConfigException>(() => forward.Validate()).Message);
        var both = config with { Arms = [config.Arms[0], new ChainArm { Name = "both", Stages = [new ChainStage { Model = Small, Prune = new PruningAmount(0, 1, 16), Epochs = 2 }] }] };
        Assert.Contains("exactly one of model, prune or shape_of", Assert.Throws<InvalidConfigException>(() => both.Validate()).Message);
    }

    private static MatchModel PolicyTeacherOf(CompressionExperimentConfig config)
    {
        var policy = config.PolicyTeacher.AsTeacherOf(config.Student);
        return MatchModel.Load(Path.Combine(policy.RunDirectory(MatchRole.PolicyTeacher), MatchModel.BestFile));
    }

    [Fact]
    public void AClickTeacherCannotTeachInThePolicyTeachersPlace()
    {
        var config = world.In("chain-roles").WithTraining(t => t with { Epochs = 1 });
        new MatchTrainer(MatchRole.ClickTeacher, config, world.Data).Train();
        var run = config.RunDirectory(MatchRole.ClickTeacher);
        var error = Assert.Throws<InvalidDataException>(() => MatchInference.LoadTeacher(run, MatchRole.PolicyTeacher, world.Data.VocabSize, world.Data.Layout));
        Assert.Contains("holds a click-teacher, where a policy-teacher or a student is needed", error.Message);
    }

    [Fact]
    public void ArmsThatEndAtAnotherSizeOrBudgetAreRefusedByName()
    {
        var config = Config("chain-refused");
        var larger = config with { Arms = [config.Arms[0], config.Arms[1] with { Stages = [config.Arms[1].Stages[0], new ChainStage { Model = Medium, Epochs = 1 }] }] };
        Assert.Contains("arm 'gradual' ends at another student size than arm 'direct'", Assert.Throws<InvalidConfigException>(() => larger.Validate()).Message);
        var longer = config with { Arms = [config.Arms[0], config.Arms[1] with { Stages = [config.Arms[1].Stages[0], new ChainStage { Model = Small, Epochs = 2 }] }] };
        Assert.Contains("arm 'gradual' trains 3 epochs over its stages, arm 'direct' 2", Assert.Throws<InvalidConfigException>(() => longer.Validate()).Message);
        var lone = config with { Arms = [config.Arms[0]] };
        Assert.Contains("at least two arms", Assert.Throws<InvalidConfigException>(() => lone.Validate()).Message);
    }

    private static string TeacherOf(string run) => RunRecord<MatchTrainingConfig>.Read(run).Data.Input(MatchModel.RoleName(MatchRole.PolicyTeacher)).Path;
}
