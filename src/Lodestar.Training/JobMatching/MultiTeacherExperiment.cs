// The multi-teacher ablation: students distilled from the policy teacher only, the click teacher only,
// both, and none (hard labels only), each evaluated on policy NDCG@10, golden agreement and apply AUC.
using Lodestar.Models.JobMatching;

namespace Lodestar.Training.JobMatching;

public static class MultiTeacherExperiment
{
    /// <summary>Trains the four students from the student config (its teacher runs must exist) and evaluates them.</summary>
    public static List<ExperimentRow> Run(MatchTrainingConfig student, MatchDataSet data, Action<string>? log = null)
    {
        if (student.PolicyTeacherRun is null || student.ClickTeacherRun is null)
        {
            throw new ArgumentException("the multi-teacher experiment needs policy_teacher_run and click_teacher_run in the student config");
        }
        var hard = student.Distillation.HardLabelWeight > 0 ? student.Distillation.HardLabelWeight : 0.5f;
        var variants = new (string Name, float Policy, float Click, float Hard)[]
        {
            ("policy-teacher-only", student.Distillation.PolicyTeacherWeight, 0f, hard),
            ("click-teacher-only", 0f, student.Distillation.ClickTeacherWeight, hard),
            ("both-teachers", student.Distillation.PolicyTeacherWeight, student.Distillation.ClickTeacherWeight, hard),
            ("labels-only", 0f, 0f, hard),
        };
        var rows = new List<ExperimentRow>();
        foreach (var (name, policy, click, hardWeight) in variants)
        {
            log?.Invoke($"training student {name}");
            var config = student with
            {
                RunName = $"experiment-{name}",
                Distillation = student.Distillation with { PolicyTeacherWeight = policy, ClickTeacherWeight = click, HardLabelWeight = hardWeight },
            };
            new MatchTrainer(MatchRole.Student, config, data).Train();
            var report = MatchEvaluator.Evaluate(data, [(MatchRole.Student, config.RunDirectory(MatchRole.Student))], measureSpeed: false).Models[0];
            rows.Add(new ExperimentRow(name, report.MemberNdcg10, report.GoldenMeanKappa, report.ApplyAuc));
        }
        return rows;
    }
}
