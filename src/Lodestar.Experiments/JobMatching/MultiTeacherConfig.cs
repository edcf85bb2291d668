// The multi-teacher experiment as one config file (configs/match/multi-teacher.json): the world to generate,
// both teachers, the student recipe, the student seeds and the split the table is measured on.
using System.Text.Json;
using Lodestar.Core;
using Lodestar.Models.JobMatching;
using Lodestar.Features.JobMatching;
using Lodestar.Training.Loop;
using Lodestar.Training.JobMatching;

namespace Lodestar.Experiments.JobMatching;

public sealed record MultiTeacherConfig
{
    /// <summary>Members of the generated world (generated into Student.World when it has no manifest).</summary>
    public int WorldMembers { get; init; } = 6_000;

    /// <summary>Simulated days of the world.</summary>
    public int WorldDays { get; init; } = 30;

    /// <summary>Seed of the world.</summary>
    public ulong WorldSeed { get; init; } = 1;

    /// <summary>The student run: data (world, policy pairs, splits), model, optimization, distillation weights.</summary>
    public MatchTrainingConfig Student { get; init; } = new();

    /// <summary>Policy teacher run: its model and optimization; data fields are taken from Student.</summary>
    public MatchTrainingConfig PolicyTeacher { get; init; } = new();

    /// <summary>
    /// Optional first stage of the policy teacher (its own run name, model, epochs and learning rate): trained, or
    /// resumed, before PolicyTeacher, which then continues from its best weights (PolicyTeacher.InitFrom is set to it).
    /// None (the default): PolicyTeacher trains from scratch or from its own InitFrom.
    /// </summary>
    public MatchTrainingConfig? PolicyTeacherWarmStart { get; init; }

    /// <summary>Click teacher run: its model and optimization; data fields are taken from Student.</summary>
    public MatchTrainingConfig ClickTeacher { get; init; } = new();

    /// <summary>
    /// Start the click teacher from the trained policy teacher (its model config and best weights) and fine-tune it on
    /// apply labels, as LinkedIn's teachers both start from one pretrained LLM; ClickTeacher then sets only optimization and run name.
    /// </summary>
    public bool ClickTeacherFromPolicyTeacher { get; init; }

    /// <summary>Student seeds (weight init and batch order); every variant runs once per seed, teachers are shared.</summary>
    public int[] Seeds { get; init; } = [1, 2, 3];

    /// <summary>Variants to train (any of policy-teacher-only, click-teacher-only, both-teachers, labels-only).</summary>
    public string[] Variants { get; init; } = [.. MultiTeacherExperiment.AllVariants];

    /// <summary>Distillation recipes `--tune` tries on the validation split (both-teachers student, first seed).</summary>
    public DistillationConfig[] Tuning { get; init; } = [];

    /// <summary>Split the table is measured on: validation while tuning distillation, test for the reported table.</summary>
    public MatchSplit Split { get; init; } = MatchSplit.Test;

    public MultiTeacherConfig Validate()
    {
        this.Require(WorldMembers >= 100, WorldMembers, "must be at least 100");
        this.Require(WorldDays >= 1, WorldDays, "must be at least 1");
        this.Require(Seeds.Length > 0 && Seeds.All(s => s >= 0) && Seeds.Distinct().Count() == Seeds.Length, Seeds, "must be distinct non-negative seeds, at least one");
        this.Require(Variants.Length > 0 && Variants.All(MultiTeacherExperiment.AllVariants.Contains), Variants,
            $"must be a non-empty subset of {string.Join(", ", MultiTeacherExperiment.AllVariants)}");
        foreach (var recipe in Tuning)
        {
            recipe.Validate();
        }
        Student.Validate();
        Teacher(PolicyTeacher).Validate();
        if (PolicyTeacherWarmStart is not null)
        {
            var warmStart = Teacher(PolicyTeacherWarmStart).Validate();
            this.Require(warmStart.RunDirectory(MatchRole.PolicyTeacher) != Teacher(PolicyTeacher).RunDirectory(MatchRole.PolicyTeacher), PolicyTeacherWarmStart.RunName,
                "must name a run other than the policy teacher's own");
            this.Require(PolicyTeacher.InitFrom is null, PolicyTeacher.InitFrom, "must be unset when PolicyTeacherWarmStart is set");
        }
        Teacher(ClickTeacher).Validate();
        return this;
    }

    /// <summary>A teacher config on the student's data (<see cref="MatchTrainingConfig.AsTeacherOf"/>).</summary>
    public MatchTrainingConfig Teacher(MatchTrainingConfig teacher) => teacher.AsTeacherOf(Student);

    /// <summary>Reads and validates the experiment config (RunJson.ReadConfig); relative paths inside it are relative to the working directory.</summary>
    public static MultiTeacherConfig Load(string path) => RunJson.ReadConfig<MultiTeacherConfig>(path, c => c.Validate());
}
