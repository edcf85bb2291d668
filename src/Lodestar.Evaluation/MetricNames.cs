// The one place metric keys are spelled, for run records, reports, --json output and experiment tables alike:
// `name@k` for a ranking cut-off (`ndcg@10`, `hr@10`, `recall@100`) and `name/target` for what a figure is
// measured against (`auc/apply`, `ece/apply`, `ndcg@10/policy`, `kappa/golden`), as generative-recommenders' metric dictionaries.
namespace Lodestar.Evaluation;

public static class MetricNames
{
    /// <summary>The task's own training loss on a split.</summary>
    public const string Loss = "loss";

    /// <summary>Mean reciprocal rank over the full ranking.</summary>
    public const string Mrr = "mrr";

    public static string Ndcg(int k) => $"ndcg@{k}";

    public static string HitRate(int k) => $"hr@{k}";

    public static string Recall(int k) => $"recall@{k}";

    /// <summary>Area under the ROC curve of the predicted <paramref name="target"/> (e.g. "apply").</summary>
    public static string Auc(string target) => Of("auc", target);

    /// <summary>Expected calibration error of the predicted probability of <paramref name="target"/>.</summary>
    public static string Ece(string target) => Of("ece", target);

    /// <summary>Cohen's κ against the labels of <paramref name="target"/> (e.g. "golden").</summary>
    public static string Kappa(string target) => Of("kappa", target);

    public static string Spearman(string target) => Of("spearman", target);

    /// <summary><paramref name="metric"/> measured against <paramref name="target"/>: "ndcg@10" and "policy" give "ndcg@10/policy".</summary>
    public static string Of(string metric, string target)
    {
        if (string.IsNullOrEmpty(metric) || string.IsNullOrEmpty(target) || target.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"a metric name needs a metric and a target without '/', got '{metric}' and '{target}'");
        }
        return $"{metric}/{target}";
    }
}
