// `lodestar compress experiment --config configs/compress/NAME.json`: ways from the policy teacher to one small model
// compared under one budget. Each arm is a chain of links, each link a student distilled from the link before it (the
// policy teacher heads every chain) and from the one click teacher: a new smaller student (LinkedIn distils 150B → 8B →
// 3B → 1B rather than in one jump), the link before with its least important units pruned (in small steps, each
// followed by distillation, or at once), or a new student of another arm's final shape trained from scratch.
using System.Diagnostics;
using Lodestar.Bench;
using Lodestar.Core;
using Lodestar.Data.Generation;
using Lodestar.Evaluation.Match;
using Lodestar.Features.JobMatching;
using Lodestar.Models.JobMatching;
using Lodestar.Training.JobMatching;
using Lodestar.Training.Loop;

namespace Lodestar.Compression.JobMatching;

/// <summary>One trained link of one arm and seed: its run, size, training time and figures on the measured split.</summary>
public sealed record ChainLink(string Arm, int Seed, int Stage, string Run, long Parameters, int Epochs, double TrainingSeconds,
    IReadOnlyDictionary<string, double> Metrics);

/// <summary>The time to score <see cref="CompressionResult.LatencyPairs"/> pairs of the split with one model: median milliseconds over rounds and pairs per second.</summary>
public sealed record ModelLatency(string Model, long Parameters, double MedianMs, double PairsPerSecond);

/// <summary>An arm's figures over seeds (its final students), its chain's total training seconds, and its headline figures against the first arm's.</summary>
public sealed record ChainArmSummary(string Arm, string Chain, int BudgetEpochs, IReadOnlyDictionary<string, SeedSpread> Metrics, SeedSpread TrainingSeconds,
    IReadOnlyDictionary<string, SeedVerdict> AgainstFirst);

public sealed record CompressionResult(string Split, IReadOnlyList<int> Seeds, IReadOnlyDictionary<string, double> PolicyTeacher, long PolicyTeacherParameters,
    IReadOnlyList<ChainLink> Links, IReadOnlyList<ChainArmSummary> Arms, int LatencyPairs, int LatencyBatch, int LatencyRounds, int Threads, string Isa,
    IReadOnlyList<ModelLatency> Latencies);

public static class CompressionExperiment
{
    /// <summary>The figures the table shows; the first three are the headline, compared by the rule.</summary>
    public static IReadOnlyList<string> TableKeys { get; } = [MatchMetrics.NdcgPolicy, MatchMetrics.AucApply, MatchMetrics.EceApply, MatchMetrics.NdcgTruth, MatchMetrics.KappaGolden];

    public static IReadOnlyList<string> HeadlineKeys { get; } = [MatchMetrics.NdcgPolicy, MatchMetrics.AucApply, MatchMetrics.EceApply];

    /// <summary>Generates the world if missing, trains (or resumes) both teachers, then every arm's chain per seed; evaluates and times the final students.</summary>
    public static CompressionResult Run(CompressionExperimentConfig config, Action<string>? log = null)
    {
        config.Validate();
        var student = config.Student;
        ExperimentWorld.EnsureGenerated(student.World, new WorldConfig { Members = config.WorldMembers, Days = config.WorldDays, Seed = config.WorldSeed }, log);
        log?.Invoke("tokenizing the world and labeling pairs with the policy");
        var data = MatchPipeline.Prepare(student);
        var policy = config.PolicyTeacher.AsTeacherOf(student);
        var click = config.ClickTeacher.AsTeacherOf(student);
        log?.Invoke($"training the policy teacher ({policy.Training.Epochs} epochs) in {policy.RunDirectory(MatchRole.PolicyTeacher)}");
        new MatchTrainer(MatchRole.PolicyTeacher, policy, data).TrainOrContinue();
        log?.Invoke($"training the click teacher ({click.Training.Epochs} epochs) in {click.RunDirectory(MatchRole.ClickTeacher)}");
        new MatchTrainer(MatchRole.ClickTeacher, click, MatchPipeline.For(data, click.Data, click.Model.MaxTokens, click.RunDirectory(MatchRole.ClickTeacher))).TrainOrContinue();
        var policyRun = policy.RunDirectory(MatchRole.PolicyTeacher);
        var clickRun = click.RunDirectory(MatchRole.ClickTeacher);

        var links = new List<ChainLink>();
        var finalModels = new Dictionary<(string Arm, int Seed), MatchModelConfig>();
        // Seed by seed, every arm in turn, so a run stopped early still holds whole comparisons of its first seeds.
        foreach (var seed in config.Seeds)
        {
            foreach (var arm in config.Arms)
            {
                var teacher = policyRun;
                for (var stage = 0; stage < arm.Stages.Length; stage++)
                {
                    var link = arm.Stages[stage];
                    var (model, init) = link switch
                    {
                        { Model: { } size } => (size, null),
                        { ShapeOf: { } other } => (finalModels[(other, seed)], null),
                        _ => PrunedLink(student, teacher, link.Prune!, data, log),
                    };
                    var run = LinkConfig(student, arm, stage, seed, model, init, teacher, clickRun);
                    log?.Invoke($"arm {arm.Name}, seed {seed}: training link {stage + 1} of {arm.Stages.Length} ({Describe(link)}, {link.Epochs} epochs) from {teacher}");
                    var record = new MatchTrainer(MatchRole.Student, run, data).TrainOrContinue();
                    var directory = run.RunDirectory(MatchRole.Student);
                    var report = MatchEvaluator.Evaluate(data, [(MatchRole.Student, directory)], config.Split).Models[0];
                    links.Add(new ChainLink(arm.Name, seed, stage + 1, directory, report.Parameters, link.Epochs,
                        record.WallSeconds, TableKeys.ToDictionary(k => k, k => report.Metrics[k])));
                    log?.Invoke("  " + string.Join(", ", HeadlineKeys.Select(k => $"{k} {report.Metrics[k]:F4}")));
                    teacher = directory;
                    finalModels[(arm.Name, seed)] = run.Model;
                }
            }
        }
        var teacherReport = MatchEvaluator.Evaluate(data, [(MatchRole.PolicyTeacher, policyRun)], config.Split).Models[0];
        var latencies = TimeModels(config, data, policyRun, links, log);
        return new CompressionResult(config.Split.ToString().ToLowerInvariant(), config.Seeds, TableKeys.ToDictionary(k => k, k => teacherReport.Metrics[k]),
            teacherReport.Parameters, links, Summarize(config, links), Math.Min(config.LatencyPairs, data.In(config.Split).Count()), config.LatencyBatch,
            config.LatencyRounds, Environment.ProcessorCount, PeakBench.Isa, latencies);
    }

    /// <summary>
    /// The run of one link: the student recipe at <paramref name="model"/>'s size (started from <paramref name="initFrom"/>'s
    /// weights when given, a pruned model), the stage's epochs (patience capped at them) and the arm's seed, taught by
    /// <paramref name="teacherRun"/> in the policy teacher's place and by the click teacher; its name carries the arm,
    /// stage, seed and a hash of the whole config (teacher and start included), so a rerun resumes it.
    /// </summary>
    public static MatchTrainingConfig LinkConfig(MatchTrainingConfig student, ChainArm arm, int stage, int seed, MatchModelConfig model, string? initFrom,
        string teacherRun, string clickRun)
    {
        var config = student with
        {
            ShuffleSeed = (ulong)seed,
            Model = model with { Seed = (ulong)seed, MaxTokens = student.Model.MaxTokens },
            Training = student.Training with { Epochs = arm.Stages[stage].Epochs, Patience = Math.Min(student.Training.Patience, arm.Stages[stage].Epochs) },
            PolicyTeacherRun = teacherRun,
            ClickTeacherRun = clickRun,
            InitFrom = initFrom,
            RunName = null,
        };
        return config with { RunName = $"chain-{arm.Name}-link{stage + 1}-seed{seed}-{config.RecipeHash()}" };
    }

    /// <summary>
    /// The best model of <paramref name="sourceRun"/> less its least important units (written once beside the runs, under
    /// a name of the source and the amount, and reused): its config and directory. Units are ranked on the validation
    /// split by the hard labels' loss of the student recipe: the distillation loss the pruned link then trains on compares
    /// the model with itself before pruning, which has no gradient there.
    /// </summary>
    private static (MatchModelConfig Model, string Directory) PrunedLink(MatchTrainingConfig student, string sourceRun, PruningAmount amount, MatchDataSet data, Action<string>? log)
    {
        var directory = Path.Combine(student.RunsDirectory, $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(sourceRun))}-pruned-l{amount.Layers}-h{amount.Heads}-c{amount.Channels}");
        var best = Path.Combine(directory, MatchModel.BestFile);
        if (!File.Exists(Path.Combine(directory, PrunedLinkFile)))
        {
            var source = MatchModel.Load(Path.Combine(sourceRun, MatchModel.BestFile));
            var labels = student with
            {
                Model = source.Config,
                Distillation = student.Distillation with { PolicyTeacherWeight = 0, ClickTeacherWeight = 0, HardLabelWeight = 1 },
                PolicyTeacherRun = null,
                ClickTeacherRun = null,
            };
            var trainer = new MatchTrainer(MatchRole.Student, labels, data);
            var calibration = trainer.Select(MatchSplit.Validation);
            log?.Invoke($"pruning {amount.Layers} blocks, {amount.Heads} heads and {amount.Channels} MLP channels from {sourceRun} (ranked on {calibration.Count} validation pairs)");
            var importance = StructuredPruning.Estimate(source, calibration, trainer.BatchLoss(), student.Training.BatchSize);
            var removed = StructuredPruning.Choose(importance, amount);
            var pruned = StructuredPruning.Prune(source, removed);
            StagedDirectory.Write(directory, PrunedLinkFile, replace: false, staging =>
            {
                pruned.Save(Path.Combine(staging, MatchModel.BestFile));
                AtomicFile.WriteAllBytes(Path.Combine(staging, PrunedLinkFile), System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { source = sourceRun, removed, importance }, RunJson.Options));
                return 0;
            });
        }
        return (MatchModel.ReadSpec(best).Model, directory);
    }

    /// <summary>The file a pruned link's directory is complete with: what was removed and every unit's score.</summary>
    public const string PrunedLinkFile = "pruning.json";

    private static string Describe(ChainStage stage) => stage switch
    {
        { Model: { } model } => Describe(model),
        { ShapeOf: { } other } => $"{other}'s shape, from scratch",
        _ => $"pruned by {stage.Prune!.Layers} blocks, {stage.Prune.Heads} heads, {stage.Prune.Channels} channels",
    };

    private static string Describe(MatchModelConfig model) => $"C{model.Channels} H{model.Heads} F{model.FeedForward} L{model.Layers}";

    private static List<ChainArmSummary> Summarize(CompressionExperimentConfig config, List<ChainLink> links)
    {
        SeedSpread Spread(ChainArm arm, Func<ChainLink, double> value) =>
            SeedSpread.Of([.. links.Where(l => l.Arm == arm.Name && l.Stage == arm.Stages.Length).Select(value)]);
        var metrics = config.Arms.ToDictionary(a => a.Name, a => TableKeys.ToDictionary(k => k, k => Spread(a, l => l.Metrics[k])));
        var first = config.Arms[0].Name;
        return [.. config.Arms.Select(arm => new ChainArmSummary(arm.Name, string.Join(" → ", ["policy teacher", .. arm.Stages.Select(Describe)]),
            arm.BudgetEpochs, metrics[arm.Name],
            SeedSpread.Of([.. config.Seeds.Select(seed => links.Where(l => l.Arm == arm.Name && l.Seed == seed).Sum(l => l.TrainingSeconds))]),
            arm.Name == first ? new Dictionary<string, SeedVerdict>() : HeadlineKeys.ToDictionary(k => k, k => SeedVerdict.Of(metrics[arm.Name][k], metrics[first][k]))))];
    }

    /// <summary>
    /// Times the policy teacher and each arm's final student of the first seed on the same pairs of the split, in batches,
    /// the models taking turns in every round; each latency is the median over rounds.
    /// </summary>
    private static List<ModelLatency> TimeModels(CompressionExperimentConfig config, MatchDataSet data, string policyRun, List<ChainLink> links, Action<string>? log)
    {
        var pairs = data.In(config.Split).Take(config.LatencyPairs).ToList();
        var models = new List<(string Name, MatchModel Model)> { ("policy teacher", MatchInference.LoadBest(policyRun, MatchRole.PolicyTeacher, data.VocabSize, data.Layout)) };
        foreach (var arm in config.Arms)
        {
            var final = links.First(l => l.Arm == arm.Name && l.Seed == config.Seeds[0] && l.Stage == arm.Stages.Length);
            models.Add((arm.Name, MatchInference.LoadBest(final.Run, MatchRole.Student, data.VocabSize, data.Layout)));
        }
        log?.Invoke($"timing {models.Count} models on {pairs.Count} pairs in batches of {config.LatencyBatch}, {config.LatencyRounds} rounds");
        foreach (var (_, model) in models)
        {
            MatchScorer.Predict(model, pairs, config.LatencyBatch);
        }
        var rounds = models.Select(_ => new List<double>()).ToList();
        for (var round = 0; round < config.LatencyRounds; round++)
        {
            for (var m = 0; m < models.Count; m++)
            {
                var clock = Stopwatch.StartNew();
                MatchScorer.Predict(models[m].Model, pairs, config.LatencyBatch);
                rounds[m].Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        return [.. models.Select((m, i) =>
        {
            var median = Statistics.Median(rounds[i]);
            return new ModelLatency(m.Name, m.Model.ParameterCount, median, pairs.Count / (median / 1000));
        })];
    }
}
