// The distillation-chain ablation as one config file (configs/compress/distill-chain.json): the world, the policy and
// click teachers, the student recipe, and the arms, each a chain of ever smaller students ending at the same size after
// the same number of training epochs, so the arms differ only in how the policy teacher's knowledge reaches the last one.
using Lodestar.Core;
using Lodestar.Features.JobMatching;
using Lodestar.Models.JobMatching;
using Lodestar.Training.JobMatching;
using Lodestar.Training.Loop;

namespace Lodestar.Compression.JobMatching;

/// <summary>One link of a chain: a student of this size trained for this many epochs, distilled from the link before it.</summary>
public sealed record ChainStage
{
    /// <summary>The student's size; its max_tokens is the experiment student's, its seed the run's.</summary>
    public MatchModelConfig Model { get; init; } = MatchModelConfig.Student;

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

public sealed record DistillationChainConfig
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

    /// <summary>Pairs of the split timed per model (one member's candidates in the bar), in batches of <see cref="LatencyBatch"/>.</summary>
    public int LatencyPairs { get; init; } = 500;

    public int LatencyBatch { get; init; } = 64;

    /// <summary>Interleaved timing rounds; each times every model once, and a model's latency is the median over rounds.</summary>
    public int LatencyRounds { get; init; } = 5;

    public DistillationChainConfig Validate()
    {
        this.Require(WorldMembers >= 100, WorldMembers, "must be at least 100");
        this.Require(WorldDays >= 1, WorldDays, "must be at least 1");
        this.Require(Seeds.Length > 0 && Seeds.All(s => s >= 0) && Seeds.Distinct().Count() == Seeds.Length, Seeds, "must be distinct non-negative seeds, at least one");
        this.Require(Arms.Length >= 2, Arms, "must list at least two arms to compare");
        this.Require(Arms.All(a => a.Name.Length > 0 && a.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')), Arms,
            "each arm needs a name of letters, digits, '-' and '_' (it names the arm's run directories)");
        this.Require(Arms.Select(a => a.Name).Distinct().Count() == Arms.Length, Arms, "arm names must be distinct");
        foreach (var arm in Arms)
        {
            this.Require(arm.Stages.Length > 0, arm.Stages, $"arm '{arm.Name}' has no stages");
            this.Require(arm.Stages.All(s => s.Epochs >= 1), arm.Stages, $"arm '{arm.Name}': every stage trains at least one epoch");
            foreach (var stage in arm.Stages)
            {
                stage.Model.Validate();
            }
            // The comparison holds the final student and the budget fixed: an arm that ends elsewhere measures something else.
            this.Require(SameSize(arm.Stages[^1].Model, Arms[0].Stages[^1].Model), arm.Stages,
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

    private static bool SameSize(MatchModelConfig a, MatchModelConfig b) => a with { Seed = 0, MaxTokens = 0 } == b with { Seed = 0, MaxTokens = 0 };

    /// <summary>Reads and validates the config (RunJson.ReadConfig); relative paths inside it are relative to the working directory.</summary>
    public static DistillationChainConfig Load(string path) => RunJson.ReadConfig<DistillationChainConfig>(path, c => c.Validate());
}
