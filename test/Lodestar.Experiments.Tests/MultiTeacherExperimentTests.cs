// The multi-teacher experiment's bookkeeping on the tiny world: every variant × seed is its own run, the
// summary is the mean and sample sd of the rows, teachers share the student's data, and bad configs fail.
using System.Text.Json;
using Lodestar.Core;
using Lodestar.Models.JobMatching;
using Lodestar.Training.JobMatching;
using Lodestar.Features.JobMatching;
using Lodestar.Training.Loop;
using Lodestar.Evaluation.Match;
using Lodestar.Experiments.JobMatching;
using Lodestar.Training.Tests.JobMatching;

namespace Lodestar.Experiments.Tests;

[Collection("teacher cache")]
public sealed class MultiTeacherExperimentTests(TinyMatchWorld world) : IClassFixture<TinyMatchWorld>
{
    [Fact]
    public void EveryVariantAndSeedIsItsOwnRunAndTheSummaryIsMeanAndSd()
    {
        var student = world.StudentWithTeachers("experiment");
        var result = MultiTeacherExperiment.Run(student, world.Data, [1, 2], ["both-teachers", "labels-only"], MatchSplit.Validation);
        Assert.Equal("validation", result.Split);
        Assert.Equal(["policy-teacher", "click-teacher"], result.Teachers.Select(t => t.Student));
        Assert.Equal([("both-teachers", 1), ("both-teachers", 2), ("labels-only", 1), ("labels-only", 2)], result.Rows.Select(r => (r.Student, r.Seed)));
        var runs = Directory.GetDirectories(student.RunsDirectory, "experiment-*").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["experiment-both-teachers-seed1-", "experiment-both-teachers-seed2-", "experiment-labels-only-seed1-", "experiment-labels-only-seed2-"],
            runs.Select(r => r![..^8]));
        // Another recipe is another run; the same recipe again reuses the finished runs.
        Assert.NotEqual(student.RecipeHash(), (student with { Distillation = student.Distillation with { Temperature = 3 } }).RecipeHash());
        Assert.Equal(student.RecipeHash(), (student with { RunName = "other" }).RecipeHash());
        // Different seeds give different students.
        Assert.NotEqual(result.Rows[0].Metrics[MatchMetrics.NdcgTruth], result.Rows[1].Metrics[MatchMetrics.NdcgTruth]);
        foreach (var summary in result.Summary)
        {
            var rows = result.Rows.Where(r => r.Student == summary.Student).Select(r => r.Metrics[MatchMetrics.NdcgTruth]).ToArray();
            Assert.Equal(2, summary.Seeds);
            Assert.Equal((rows[0] + rows[1]) / 2, summary.Metrics[MatchMetrics.NdcgTruth].Mean, 12);
            Assert.Equal(Math.Abs(rows[0] - rows[1]) / Math.Sqrt(2), summary.Metrics[MatchMetrics.NdcgTruth].Std, 12);
        }
        Assert.InRange(result.PolicyScorerNdcg10, 0.0, 1.0);
        // Policy NDCG@10 is its own column: the policy scorer is its ceiling, exactly 1, and a student is below it.
        Assert.Equal(1.0, result.PolicyScorerPolicyNdcg10, 12);
        Assert.All(result.Rows.Concat(result.Teachers), r => Assert.InRange(r.Metrics[MatchMetrics.NdcgPolicy], 0.0, 1.0 - 1e-9));
        Assert.All(result.Rows, r => Assert.NotEqual(r.Metrics[MatchMetrics.NdcgTruth], r.Metrics[MatchMetrics.NdcgPolicy]));
        var both = result.Rows.Where(r => r.Student == "both-teachers").Select(r => r.Metrics[MatchMetrics.NdcgPolicy]).ToArray();
        Assert.Equal(both.Average(), result.Summary.Single(s => s.Student == "both-teachers").Metrics[MatchMetrics.NdcgPolicy].Mean, 12);
        // The apply reference: the hidden true match's AUC on the split's views, counted pair by pair here.
        var views = world.Data.In(MatchSplit.Validation).Where(e => e.Applied >= 0).ToList();
        Assert.Equal(views.Count, result.ApplyViews);
        Assert.Equal(views.Count(e => e.Applied == 1), result.ApplyPositives);
        var scored = views.Where(e => !float.IsNaN(e.Truth)).ToList();
        var (positives, negatives) = (scored.Where(e => e.Applied == 1).ToList(), scored.Where(e => e.Applied == 0).ToList());
        var wins = positives.Sum(p => negatives.Sum(n => p.Truth > n.Truth ? 1.0 : p.Truth == n.Truth ? 0.5 : 0.0));
        Assert.Equal(wins / (positives.Count * (double)negatives.Count), result.TruthApplyAuc, 12);
    }

    [Fact]
    public void AVariantDropsTheTeachersItLeavesOutAndKeepsTheRecipesHardLabelWeight()
    {
        var student = world.Config with { Distillation = new DistillationConfig { Temperature = 3, PolicyTeacherWeight = 2, ClickTeacherWeight = 1.5f, HardLabelWeight = 0 } };
        DistillationConfig Recipe(string variant) => MultiTeacherExperiment.VariantConfig(student, variant, 7).Distillation;
        Assert.Equal(new DistillationConfig { Temperature = 3, PolicyTeacherWeight = 2, ClickTeacherWeight = 1.5f, HardLabelWeight = 0 }, Recipe("both-teachers"));
        Assert.Equal(new DistillationConfig { Temperature = 3, PolicyTeacherWeight = 2, ClickTeacherWeight = 0, HardLabelWeight = 0 }, Recipe("policy-teacher-only"));
        Assert.Equal(new DistillationConfig { Temperature = 3, PolicyTeacherWeight = 0, ClickTeacherWeight = 1.5f, HardLabelWeight = 0 }, Recipe("click-teacher-only"));
        // Without a teacher the student learns from labels: at the recipe's weight, or 0.5 when the recipe distils without them.
        Assert.Equal(new DistillationConfig { Temperature = 3, PolicyTeacherWeight = 0, ClickTeacherWeight = 0, HardLabelWeight = 0.5f }, Recipe("labels-only"));
        var withLabels = student with { Distillation = student.Distillation with { HardLabelWeight = 0.25f } };
        Assert.Equal(0.25f, MultiTeacherExperiment.VariantConfig(withLabels, "labels-only", 7).Distillation.HardLabelWeight);
        Assert.Equal(0.25f, MultiTeacherExperiment.VariantConfig(withLabels, "policy-teacher-only", 7).Distillation.HardLabelWeight);
        // The seed sets weight init and batch order, and the run name says variant, seed and recipe.
        var run = MultiTeacherExperiment.VariantConfig(student, "both-teachers", 7);
        Assert.Equal((7UL, 7UL), (run.Model.Seed, run.ShuffleSeed));
        Assert.Equal($"experiment-both-teachers-seed7-{run.RecipeHash()}", run.RunName);
        Assert.NotEqual(run.RunName, MultiTeacherExperiment.VariantConfig(withLabels, "both-teachers", 7).RunName);
        // A click-teacher-only student of a recipe with no click weight and no hard labels has nothing to learn from.
        var noClick = student with { Distillation = student.Distillation with { ClickTeacherWeight = 0 } };
        Assert.Throws<InvalidConfigException>(() => MultiTeacherExperiment.VariantConfig(noClick, "click-teacher-only", 7));
        Assert.Throws<ArgumentException>(() => MultiTeacherExperiment.VariantConfig(student, "teacherless", 7));
    }

    [Fact]
    public void TeachersTakeTheStudentsDataAndBadConfigsFail()
    {
        var config = new MultiTeacherConfig
        {
            Student = world.Config with { Data = world.Config.Data with { PolicyPairs = 123 } },
            PolicyTeacher = new MatchTrainingConfig { World = "elsewhere", Model = MatchModelConfig.Teacher, Training = MatchTrainingConfig.DefaultTraining with { Epochs = 5 } },
        }.Validate();
        var teacher = config.Teacher(config.PolicyTeacher);
        Assert.Equal(world.Config.World, teacher.World);
        Assert.Equal(123, teacher.Data.PolicyPairs);
        Assert.Equal(world.Config.Model.MaxTokens, teacher.Model.MaxTokens);
        Assert.Equal(5, teacher.Training.Epochs);
        // A click teacher reading engagement counters keeps that flag and its own token budget; the policy teacher reads the student's prompts.
        var click = config.Teacher(new MatchTrainingConfig { Data = new MatchDataConfig { EngagementFeatures = true }, Model = MatchModelConfig.ClickTeacher with { MaxTokens = 144 } });
        Assert.True(click.Data.EngagementFeatures);
        Assert.Equal(123, click.Data.PolicyPairs);
        Assert.Equal(144, click.Model.MaxTokens);
        Assert.False(teacher.Data.EngagementFeatures);
        Assert.Throws<InvalidConfigException>(() => (config with { Seeds = [1, 1] }).Validate());
        Assert.Throws<InvalidConfigException>(() => (config with { Variants = ["both-teachers", "teacherless"] }).Validate());
        var path = Path.Combine(world.Root, "bad-experiment.json");
        File.WriteAllText(path, "{\n  \"seeds\": \"one\"\n}");
        var error = Assert.Throws<InvalidDataException>(() => MultiTeacherConfig.Load(path));
        Assert.Contains("line 2", error.Message);
        Assert.Contains("seeds", error.Message);
    }

    private static TrainingConfig Short => MatchTrainingConfig.DefaultTraining with { Epochs = 1, BatchSize = 32, WarmupSteps = 5 };

    [Fact]
    public void AWarmStartStageTrainsFirstAndThePolicyTeacherContinuesFromIt()
    {
        var runs = Path.Combine(world.Root, "warm-start");
        var student = world.Config.WithTraining(t => t with { Epochs = 1 }) with { RunsDirectory = runs };
        var config = new MultiTeacherConfig
        {
            WorldMembers = 400,
            Student = student,
            PolicyTeacherWarmStart = new MatchTrainingConfig { RunName = "stage1", Model = world.Config.Model, Training = Short },
            PolicyTeacher = new MatchTrainingConfig { Model = world.Config.Model, Training = Short with { LearningRate = 1e-4f } },
            ClickTeacher = new MatchTrainingConfig { Model = world.Config.Model, Training = Short },
        };
        var (prepared, _) = MultiTeacherExperiment.Prepare(config);
        var stage1 = Path.Combine(runs, "stage1");
        Assert.True(File.Exists(Path.Combine(stage1, TrainingLoop.LastFile)));
        Assert.Equal(Path.Combine(runs, "policy-teacher"), prepared.PolicyTeacherRun);
        var teacherConfig = MatchInference.ReadConfig(prepared.PolicyTeacherRun!);
        Assert.Equal(stage1, teacherConfig!.InitFrom);

        Assert.Throws<InvalidConfigException>(() => (config with { PolicyTeacherWarmStart = config.PolicyTeacherWarmStart! with { RunName = null } }).Validate());
        Assert.Throws<InvalidConfigException>(() => (config with { PolicyTeacher = config.PolicyTeacher with { InitFrom = stage1 } }).Validate());
    }

    [Fact]
    public void TheCheckedInExperimentConfigLoads()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "../../../../../configs/match/multi-teacher.json");
        var config = MultiTeacherConfig.Load(path);
        Assert.Equal([1, 2, 3], config.Seeds);
        Assert.Equal(MatchSplit.Test, config.Split);
        Assert.True(config.Student.Data.PolicyPairs >= 4 * new MatchDataConfig().PolicyPairs);
        Assert.NotNull(config.PolicyTeacherWarmStart);
        Assert.NotNull(JsonSerializer.Serialize(config, RunJson.Options));
    }

    [Fact]
    public void TheCheckedInLargeLogConfigGivesTheClickTeacherItsCounters()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "../../../../../configs/match/multi-teacher-24k.json");
        var config = MultiTeacherConfig.Load(path);
        Assert.Equal(24_000, config.WorldMembers);
        var click = config.Teacher(config.ClickTeacher);
        Assert.True(click.Data.EngagementFeatures);
        Assert.Equal(144, click.Model.MaxTokens);
        Assert.False(config.Teacher(config.PolicyTeacher).Data.EngagementFeatures);
        Assert.Equal(config.Student.Model.MaxTokens, config.Teacher(config.PolicyTeacher).Model.MaxTokens);
    }

    [Fact]
    public void TheLargeLogConfigsTwinsDifferOnlyInTheLabelWindowOrTheClickTeacher()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "../../../../../configs/match");
        var full = MultiTeacherConfig.Load(Path.Combine(directory, "multi-teacher-24k.json"));
        var windowed = MultiTeacherConfig.Load(Path.Combine(directory, "multi-teacher-24k-window.json"));
        Assert.Equal(0, full.Student.Distillation.ApplyLabelDays);
        Assert.Equal(10, windowed.Student.Distillation.ApplyLabelDays);
        // Same world, teachers and runs directory (so the teachers are shared), same recipe otherwise.
        Assert.Equal(JsonSerializer.Serialize(full, RunJson.Options),
            JsonSerializer.Serialize(windowed with { Student = windowed.Student with { Distillation = windowed.Student.Distillation with { ApplyLabelDays = 0 } } }, RunJson.Options));
        // The recipe is the one the tuning rule chose among the config's own tuning list.
        Assert.Contains(full.Student.Distillation, full.Tuning);
        // The third twin differs only in its click teacher: fine-tuned from the policy teacher, under its own run name.
        var fineTuned = MultiTeacherConfig.Load(Path.Combine(directory, "multi-teacher-24k-ft.json"));
        Assert.True(fineTuned.ClickTeacherFromPolicyTeacher);
        Assert.True(fineTuned.Teacher(fineTuned.ClickTeacher).Data.EngagementFeatures);
        Assert.NotEqual(full.Teacher(full.ClickTeacher).RunDirectory(MatchRole.ClickTeacher), fineTuned.Teacher(fineTuned.ClickTeacher).RunDirectory(MatchRole.ClickTeacher));
        Assert.Equal(JsonSerializer.Serialize(full, RunJson.Options),
            JsonSerializer.Serialize(fineTuned with { ClickTeacherFromPolicyTeacher = false, ClickTeacher = full.ClickTeacher }, RunJson.Options));
        // And the fourth has both changes: the fine-tuned click teacher and the label window.
        var both = MultiTeacherConfig.Load(Path.Combine(directory, "multi-teacher-24k-ft-window.json"));
        Assert.Equal(JsonSerializer.Serialize(fineTuned with { Student = fineTuned.Student with { Distillation = fineTuned.Student.Distillation with { ApplyLabelDays = 10 } } }, RunJson.Options),
            JsonSerializer.Serialize(both, RunJson.Options));
    }
}
