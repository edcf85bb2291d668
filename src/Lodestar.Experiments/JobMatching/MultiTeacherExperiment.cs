// The multi-teacher ablation: students distilled from the policy teacher only, the click teacher only,
// both, and none (hard labels only), each over several student seeds, on policy NDCG@10, golden κ and apply AUC
// (NDCG@10 against the world's true match is kept as its own column).
using Lodestar.Core;
using Lodestar.Data.Generation;
using Lodestar.Evaluation.Calibration;
using Lodestar.Evaluation.Match;
using Lodestar.Models.JobMatching;
using Lodestar.Features.JobMatching;
using Lodestar.Training.Loop;
using Lodestar.Training.JobMatching;

namespace Lodestar.Experiments.JobMatching;

/// <summary>One trained model of the experiment on the measured split: its MatchMetrics figures (MultiTeacherExperiment.TableKeys).</summary>
public sealed record ExperimentRow(string Student, int Seed, IReadOnlyDictionary<string, double> Metrics);

/// <summary>Mean, sample standard deviation and range of each figure of a variant over its seeds.</summary>
public sealed record ExperimentSummary(string Student, int Seeds, IReadOnlyDictionary<string, SeedSpread> Metrics);

/// <param name="PolicyScorerNdcg10">NDCG@10 of the policy scorer itself (the labeller) against the world's truth; its overall score is coarse and ties are ranked pessimistically, so a smooth teacher can rank better.</param>
/// <param name="PolicyScorerPolicyNdcg10">The policy scorer's policy NDCG@10: the ceiling, 1.0 by definition (computed, not assumed).</param>
public sealed record ExperimentResult(string Split, double PolicyScorerNdcg10, double PolicyScorerPolicyNdcg10, IReadOnlyList<ExperimentRow> Teachers, IReadOnlyList<ExperimentRow> Rows, IReadOnlyList<ExperimentSummary> Summary)
{
    /// <summary>Viewed pairs of the split that apply AUC is measured on, and how many of them were applied to.</summary>
    public int ApplyViews { get; init; }

    public int ApplyPositives { get; init; }

    /// <summary>
    /// Apply AUC of the world's hidden true match on those views: a reference no model sees (applies also depend on
    /// brand, freshness, preferences and noise, so it is not a ceiling), showing how far the policy proxy is from what drives applies.
    /// </summary>
    public double TruthApplyAuc { get; init; } = double.NaN;
}

public static class MultiTeacherExperiment
{
    public static IReadOnlyList<string> AllVariants { get; } = ["policy-teacher-only", "click-teacher-only", "both-teachers", "labels-only"];

    /// <summary>The figures the experiment's table compares.</summary>
    public static IReadOnlyList<string> TableKeys { get; } = [MatchMetrics.NdcgPolicy, MatchMetrics.NdcgTruth, MatchMetrics.KappaGolden, MatchMetrics.AucApply];

    private static IReadOnlyDictionary<string, double> TableFigures(MatchModelReport report) => TableKeys.ToDictionary(k => k, k => report.Metrics[k]);

    /// <summary>Generates the world if missing, trains (or resumes) both teachers (the policy teacher's warm-start stage first), then every variant × seed.</summary>
    public static ExperimentResult Run(MultiTeacherConfig config, Action<string>? log = null)
    {
        var (student, data) = Prepare(config, log);
        return Run(student, data, config.Seeds, config.Variants, config.Split, log);
    }

    /// <summary>
    /// Tuning on the validation split only: the both-teachers student of the first seed once per recipe in
    /// config.Tuning (temperature and weights), beside the labels-only student of that seed.
    /// </summary>
    public static List<(DistillationConfig Recipe, ExperimentResult Result)> Tune(MultiTeacherConfig config, Action<string>? log = null)
    {
        if (config.Tuning.Length == 0)
        {
            throw new ArgumentException("MultiTeacherConfig.Tuning lists no distillation recipes to try");
        }
        var (student, data) = Prepare(config, log);
        var results = new List<(DistillationConfig, ExperimentResult)>();
        var baseline = Run(student, data, [config.Seeds[0]], ["labels-only"], MatchSplit.Validation, log);
        foreach (var recipe in config.Tuning)
        {
            var tuned = Run(student with { Distillation = recipe.Validate() }, data, [config.Seeds[0]], ["both-teachers"], MatchSplit.Validation, log);
            results.Add((recipe, tuned with { Rows = [.. baseline.Rows, .. tuned.Rows], Summary = [.. baseline.Summary, .. tuned.Summary] }));
        }
        return results;
    }

    /// <summary>The world (generated if missing), the data set and both teachers (trained or resumed); the student config names them.</summary>
    public static (MatchTrainingConfig Student, MatchDataSet Data) Prepare(MultiTeacherConfig config, Action<string>? log = null)
    {
        config.Validate();
        var student = config.Student;
        ExperimentWorld.EnsureGenerated(student.World, new WorldConfig { Members = config.WorldMembers, Days = config.WorldDays, Seed = config.WorldSeed }, log);
        log?.Invoke("tokenizing the world and labeling pairs with the policy");
        var data = MatchPipeline.Prepare(student);
        var policy = config.Teacher(config.PolicyTeacher);
        var click = config.Teacher(config.ClickTeacher);
        if (config.PolicyTeacherWarmStart is not null)
        {
            var warmStart = config.Teacher(config.PolicyTeacherWarmStart);
            log?.Invoke($"training the policy teacher's first stage ({warmStart.Training.Epochs} epochs) in {warmStart.RunDirectory(MatchRole.PolicyTeacher)}");
            new MatchTrainer(MatchRole.PolicyTeacher, warmStart, data).TrainOrContinue();
            policy = policy with { InitFrom = warmStart.RunDirectory(MatchRole.PolicyTeacher) };
        }
        log?.Invoke($"training the policy teacher on {data.In(MatchSplit.Train).Count(e => e.PolicyLevels is not null)} policy-labelled pairs");
        new MatchTrainer(MatchRole.PolicyTeacher, policy, data).TrainOrContinue();
        if (config.ClickTeacherFromPolicyTeacher)
        {
            click = click with { Model = policy.Model, InitFrom = policy.RunDirectory(MatchRole.PolicyTeacher) };
        }
        log?.Invoke($"training the click teacher on {data.In(MatchSplit.Train).Count(e => e.Applied >= 0)} viewed pairs");
        new MatchTrainer(MatchRole.ClickTeacher, click, MatchPipeline.For(data, click.Data, click.Model.MaxTokens, click.RunDirectory(MatchRole.ClickTeacher))).TrainOrContinue();
        return (student with { PolicyTeacherRun = policy.RunDirectory(MatchRole.PolicyTeacher), ClickTeacherRun = click.RunDirectory(MatchRole.ClickTeacher) }, data);
    }

    /// <summary>Trains the variants from the student config (its teacher runs must exist) once per seed and evaluates them on the split.</summary>
    public static ExperimentResult Run(MatchTrainingConfig student, MatchDataSet data, IReadOnlyList<int> seeds, IReadOnlyList<string> variants, MatchSplit split, Action<string>? log = null)
    {
        if (student.PolicyTeacherRun is null || student.ClickTeacherRun is null)
        {
            throw new ArgumentException("the multi-teacher experiment needs policy_teacher_run and click_teacher_run in the student config");
        }
        var teacherReports = MatchEvaluator.Evaluate(data, [(MatchRole.PolicyTeacher, student.PolicyTeacherRun), (MatchRole.ClickTeacher, student.ClickTeacherRun)], split).Models;
        var teachers = teacherReports.Select(r => new ExperimentRow(r.Role, 0, TableFigures(r))).ToList();
        var rows = new List<ExperimentRow>();
        foreach (var name in variants)
        {
            foreach (var seed in seeds)
            {
                log?.Invoke($"training student {name}, seed {seed}");
                var config = VariantConfig(student, name, seed);
                new MatchTrainer(MatchRole.Student, config, data).TrainOrContinue();
                var report = MatchEvaluator.Evaluate(data, [(MatchRole.Student, config.RunDirectory(MatchRole.Student))], split).Models[0];
                rows.Add(new ExperimentRow(name, seed, TableFigures(report)));
                log?.Invoke("  " + string.Join(", ", TableKeys.Select(k => $"{k} {report.Metrics[k]:F4}")));
            }
        }
        var summary = rows.GroupBy(r => r.Student).Select(g => new ExperimentSummary(g.Key, g.Count(),
            TableKeys.ToDictionary(k => k, k => SeedSpread.Of([.. g.Select(r => r.Metrics[k])])))).ToList();
        var scorer = MatchEvaluator.PolicyScorerNdcg(data, split);
        var views = data.In(split).Where(e => e.Applied >= 0).ToList();
        var withTruth = views.Where(e => !float.IsNaN(e.Truth)).ToList();
        var labels = withTruth.Select(e => e.Applied).ToArray();
        return new ExperimentResult(split.ToString().ToLowerInvariant(), scorer.TruthNdcg10, scorer.PolicyNdcg10, teachers, rows, summary)
        {
            ApplyViews = views.Count,
            ApplyPositives = views.Count(e => e.Applied == 1),
            TruthApplyAuc = labels.Contains(0) && labels.Contains(1) ? ProbabilityCalibration.Auc(withTruth.Select(e => (double)e.Truth).ToArray(), labels) : double.NaN,
        };
    }

    /// <summary>
    /// The student run of one variant and seed: the recipe's temperature and hard-label weight, with the weight of any
    /// teacher the variant leaves out set to 0. The labels-only student has no teacher, so it always trains on hard labels
    /// (the recipe's weight, or 0.5 when the recipe distils without them). Its name carries a hash of the whole recipe
    /// (teachers, weights, optimization), so runs tried while tuning on validation are reused by an identical recipe
    /// and never overwritten by another.
    /// </summary>
    public static MatchTrainingConfig VariantConfig(MatchTrainingConfig student, string variant, int seed)
    {
        var recipe = student.Distillation;
        var (policyWeight, clickWeight) = variant switch
        {
            "policy-teacher-only" => (recipe.PolicyTeacherWeight, 0f),
            "click-teacher-only" => (0f, recipe.ClickTeacherWeight),
            "both-teachers" => (recipe.PolicyTeacherWeight, recipe.ClickTeacherWeight),
            "labels-only" => (0f, 0f),
            _ => throw new ArgumentException($"unknown variant '{variant}' (known: {string.Join(", ", AllVariants)})"),
        };
        var hard = variant == "labels-only" && recipe.HardLabelWeight == 0f ? LabelsOnlyHardLabelWeight : recipe.HardLabelWeight;
        var config = student with
        {
            ShuffleSeed = (ulong)seed,
            Model = student.Model with { Seed = (ulong)seed },
            Distillation = (recipe with { PolicyTeacherWeight = policyWeight, ClickTeacherWeight = clickWeight, HardLabelWeight = hard }).Validate(),
            RunName = null,
        };
        return config with { RunName = $"experiment-{variant}-seed{seed}-{config.RecipeHash()}" };
    }

    /// <summary>Hard-label weight of the labels-only student when the recipe distils without hard labels.</summary>
    public const float LabelsOnlyHardLabelWeight = 0.5f;
}
