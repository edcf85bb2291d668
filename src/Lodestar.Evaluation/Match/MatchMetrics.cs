// The metric keys of job matching (MetricNames spelling): jobs ranked for a member against the policy and
// against the world's true match, members ranked for a job, agreement with the golden set, and how well
// the apply head ranks and is calibrated.
namespace Lodestar.Evaluation.Match;

public static class MatchMetrics
{
    /// <summary>Jobs ranked for each member against the policy's own graded overall score (PolicyNdcg).</summary>
    public static readonly string NdcgPolicy = MetricNames.Of(MetricNames.Ndcg(PolicyNdcg.K), "policy");

    /// <summary>Jobs ranked for each member against the world's hidden true match.</summary>
    public static readonly string NdcgTruth = MetricNames.Of(MetricNames.Ndcg(PolicyNdcg.K), "truth");

    /// <summary>Members ranked for each job against the world's hidden true match.</summary>
    public static readonly string NdcgTruthByJob = MetricNames.Of(MetricNames.Ndcg(PolicyNdcg.K), "truth-by-job");

    /// <summary>Mean Cohen's κ over the policy's dimensions against the golden set.</summary>
    public static readonly string KappaGolden = MetricNames.Kappa("golden");

    /// <summary>Spearman correlation of the overall score with the golden set's.</summary>
    public static readonly string SpearmanGolden = MetricNames.Spearman("golden");

    /// <summary>Apply AUC on viewed pairs (NaN when the split has only one class).</summary>
    public static readonly string AucApply = MetricNames.Auc("apply");

    /// <summary>Expected calibration error of the apply probability after temperature scaling.</summary>
    public static readonly string EceApply = MetricNames.Ece("apply");

    /// <summary>The same before temperature scaling.</summary>
    public static readonly string EceApplyRaw = MetricNames.Ece("apply-raw");

    /// <summary>Every key, in the order tables show them.</summary>
    public static IReadOnlyList<string> Keys { get; } = [NdcgPolicy, NdcgTruth, NdcgTruthByJob, KappaGolden, SpearmanGolden, AucApply, EceApply, EceApplyRaw];
}
