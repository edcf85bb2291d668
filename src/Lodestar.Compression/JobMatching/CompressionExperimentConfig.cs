// A compression ablation as one config file (configs/compress/*.json): the world, the policy and click teachers, the
// student recipe, and the arms, each a chain of links from the policy teacher ending at the same size after the same
// number of training epochs, so the arms differ only in how the policy teacher's knowledge reaches the last link:
// through ever smaller students (distillation chains) or by pruning in steps or at once (structured pruning).
using Lodestar.Core;
using Lodestar.Features.JobMatching;
using Lodestar.Models.JobMatching;
using Lodestar.Training.JobMatching;
using Lodestar.Training.Loop;

namespace Lodestar.Compression.JobMatching;

/// <summary>
/// One link of a chain, trained for <see cref="Epochs"/> and distilled from the link before it (the policy teacher
/// before the first). It is exactly one of: a new student of <see cref="Model"/>'s size; the link before it with the
/// least important units removed (<see cref="Prune"/>); or a new student of the shape another arm's last link ended at
/// (<see cref="ShapeOf"/>: the same size trained from scratch).
/// </summary>
public sealed record ChainStage
{
    /// <summary>A new student's size; its max_tokens is the experiment student's, its seed the run's.</summary>
    public MatchModelConfig? Model { get; init; }

    /// <summary>Units to remove from the link before (StructuredPruning, ranked on the validation split's hard labels).</summary>
    public PruningAmount? Prune { get; init; }

    /// <summary>The name of an earlier arm whose last link (same seed) gives this new student's shape.</summary>
    public string? ShapeOf { get; init; }

    /// <summary>Epochs of this link (its share of the arm's training budget).</summary>
    public int Epochs { get; init; } = 3;
}

/// <summary>One way from the policy teacher to the final student: the links in order, the final student last.</summary>
public sealed record ChainArm
{
    public string Name { get; init; } = "";

    public ChainStage[] Stages { get; init; } = [];

    /// <summary>Epochs over all links: the arm's training budget in passes over the training pairs.</summary>
    public int BudgetEpochs => Stages.Sum(s => s.Epochs);
}

public sealed record CompressionExperimentConfig
{
    /// <summary>Members of the generated world (generated into Student.World when it has no manifest).</summary>
    public int WorldMembers { get; init; } = 6_000;

    public int WorldDays { get; init; } = 30;

    public ulong WorldSeed { get; init; } = 1;

    /// <summary>
    /// The recipe of every link: data (world, policy pairs, splits), max_tokens, distillation weights and optimization
    /// (each link's epochs come from its stage; patience is capped at them). Its model is not used.
    /// </summary>
    public MatchTrainingConfig Student { get; init; } = new();

    /// <summary>The policy teacher, the head of every chain (model and optimization; data fields come from Student).</summary>
    public MatchTrainingConfig PolicyTeacher { get; init; } = new();

    /// <summary>The click teacher every link also learns apply behaviour from, the same in every arm.</summary>
    public MatchTrainingConfig ClickTeacher { get; init; } = new();

    /// <summary>Seeds of the students (weight init and batch order); the teachers are shared.</summary>
    public int[] Seeds { get; init; } = [1, 2, 3];

    /// <summary>The arms; the first is the baseline the others are compared with.</summary>
    public ChainArm[] Arms { get; init; } = [];

    /// <summary>Directory of the experiment's report.html and report.json.</summary>
    public string Out { get; init; } = "runs/compress/experiment";

    /// <summary>Split the table is measured on.</summary>
    public MatchSplit Split { get; init; } = MatchSplit.Test;

    /// <summary>Pairs of the split timed per model (500: as many as one member's candidates in one pass), in batches of <see cref="LatencyBatch"/>.</summary>
    public int LatencyPairs { get; init; } = 500;

    public int LatencyBatch { get; init; } = 64;

    /// <summary>Interleaved timing rounds; each times every model once, and a model's latency is the median over rounds.</summary>
    public int LatencyRounds { get; init; } = 5;

    public CompressionExperimentConfig Validate()
    {
        this.Require(WorldMembers >= 100, WorldMembers, "must be at least 100");
        this.Require(WorldDays >= 1, WorldDays, "must be at least 1");
        this.Require(Seeds.Length > 0 && Seeds.All(s => s >= 0) && Seeds.Distinct().Count() == Seeds.Length, Seeds, "must be distinct non-negative seeds, at least one");
        this.Require(Arms.Length >= 2, Arms, "must list at least two arms to compare");
        this.Require(Arms.All(a => a.Name.Length > 0 && a.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')), Arms,
            "each arm needs a name of letters, digits, '-' and '_' (it names the arm's run directories)");
        this.Require(Arms.Select(a => a.Name).Distinct().Count() == Arms.Length, Arms, "arm names must be distinct");
        var ends = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var arm in Arms)
        {
            this.Require(arm.Stages.Length > 0, arm.Stages, $"arm '{arm.Name}' has no stages");
            this.Require(arm.Stages.All(s => s.Epochs >= 1), arm.Stages, $"arm '{arm.Name}': every stage trains at least one epoch");
            foreach (var stage in arm.Stages)
            {
                this.Require(new object?[] { stage.Model, stage.Prune, stage.ShapeOf }.Count(o => o is not null) == 1, arm.Stages,
                    $"arm '{arm.Name}': each stage is exactly one of model, prune or shape_of");
                stage.Model?.Validate();
                this.Require(stage.Prune is null || (stage.Prune.Layers >= 0 && stage.Prune.Heads >= 0 && stage.Prune.Channels >= 0
                    && stage.Prune.Layers + stage.Prune.Heads + stage.Prune.Channels > 0), arm.Stages, $"arm '{arm.Name}': a prune stage removes at least one unit and no negative count");
                this.Require(stage.ShapeOf is null || ends.ContainsKey(stage.ShapeOf), arm.Stages,
                    $"arm '{arm.Name}': shape_of '{stage.ShapeOf}' names no arm listed before it");
            }
            ends[arm.Name] = End(arm, ends);
            // The comparison holds the final student and the budget fixed: an arm that ends elsewhere measures something else.
            this.Require(ends[arm.Name] == ends[Arms[0].Name], arm.Stages,
                $"arm '{arm.Name}' ends at another student size than arm '{Arms[0].Name}' (every arm must end at the same size)");
            this.Require(arm.BudgetEpochs == Arms[0].BudgetEpochs, arm.Stages,
                $"arm '{arm.Name}' trains {arm.BudgetEpochs} epochs over its stages, arm '{Arms[0].Name}' {Arms[0].BudgetEpochs} (every arm must have the same budget)");
        }
        this.Require(LatencyPairs >= 1, LatencyPairs, "must be at least 1");
        this.Require(LatencyBatch >= 1, LatencyBatch, "must be at least 1");
        this.Require(LatencyRounds >= 1, LatencyRounds, "must be at least 1");
        Student.Validate();
        PolicyTeacher.AsTeacherOf(Student).Validate();
        ClickTeacher.AsTeacherOf(Student).Validate();
        return this;
    }

    /// <summary>
    /// Where an arm ends, as a key equal for arms that end at the same size: the last new student's size (the policy
    /// teacher's when none), with the heads, channels and blocks pruned after it summed; shape_of ends where its arm does.
    /// </summary>
    private string End(ChainArm arm, IReadOnlyDictionary<string, string> ends)
    {
        var start = Size(PolicyTeacher.Model);
        var (layers, heads, channels) = (0, 0, 0);
        foreach (var stage in arm.Stages)
        {
            if (stage.Model is not null || stage.ShapeOf is not null)
            {
                start = stage.Model is { } model ? Size(model) : ends[stage.ShapeOf!];
                (layers, heads, channels) = (0, 0, 0);
            }
            else
            {
                (layers, heads, channels) = (layers + stage.Prune!.Layers, heads + stage.Prune.Heads, channels + stage.Prune.Channels);
            }
        }
        return layers + heads + channels == 0 ? start : $"{start} less {layers} blocks, {heads} heads, {channels} channels";
    }

    private static string Size(MatchModelConfig model) => System.Text.Json.JsonSerializer.Serialize(model with { Seed = 0, MaxTokens = 0 }, RunJson.Options);

    /// <summary>Reads and validates the config (RunJson.ReadConfig); relative paths inside it are relative to the working directory.</summary>
    public static CompressionExperimentConfig Load(string path) => RunJson.ReadConfig<CompressionExperimentConfig>(path, c => c.Validate());
}
