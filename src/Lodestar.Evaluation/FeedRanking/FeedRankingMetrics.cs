// Per-task figures of a feed ranker over every scored impression: ROC AUC and log loss of each of the six
// actions, and their means over the tasks (the mean AUC picks the best epoch). A task with no positive or no
// negative among the scored impressions has no AUC and is left out of the mean.
using Lodestar.Evaluation.Calibration;
using Lodestar.Models.FeedRanking;

namespace Lodestar.Evaluation.FeedRanking;

public sealed class FeedRankingMetrics
{
    private readonly List<double>[] _scores = [.. Enumerable.Range(0, FeedTasks.Count).Select(_ => new List<double>())];
    private readonly List<int>[] _labels = [.. Enumerable.Range(0, FeedTasks.Count).Select(_ => new List<int>())];

    /// <summary>The mean AUC over tasks: the selection metric.</summary>
    public static string MeanAuc { get; } = MetricNames.Auc("mean");

    public static string MeanLogLoss { get; } = MetricNames.Of("logloss", "mean");

    public static string LogLoss(string task) => MetricNames.Of("logloss", task);

    /// <summary>Impressions added.</summary>
    public int Count => _labels[0].Count;

    /// <summary>probabilities is (K·6), candidate k's tasks at k·6; actions (K) are the action sets taken.</summary>
    public void Add(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> actions)
    {
        if (probabilities.Length != actions.Length * FeedTasks.Count)
        {
            throw new ArgumentException($"feed metrics: {actions.Length} impressions need {actions.Length * FeedTasks.Count} probabilities, got {probabilities.Length}");
        }
        for (var k = 0; k < actions.Length; k++)
        {
            for (var task = 0; task < FeedTasks.Count; task++)
            {
                _scores[task].Add(probabilities[(k * FeedTasks.Count) + task]);
                _labels[task].Add(FeedTasks.Has(actions[k], task) ? 1 : 0);
            }
        }
    }

    /// <summary>auc/TASK and logloss/TASK for each task, their means, and the count of impressions.</summary>
    public IReadOnlyDictionary<string, double> Figures()
    {
        var figures = new Dictionary<string, double> { ["impressions"] = Count };
        var (aucs, losses) = (new List<double>(), new List<double>());
        for (var task = 0; task < FeedTasks.Count; task++)
        {
            var name = FeedTasks.Names[task];
            var (scores, labels) = (_scores[task], _labels[task]);
            if (scores.Count == 0)
            {
                continue;
            }
            var loss = LogLossOf(scores, labels);
            figures[LogLoss(name)] = loss;
            losses.Add(loss);
            var positives = labels.Sum();
            if (positives > 0 && positives < labels.Count)
            {
                var auc = ProbabilityCalibration.Auc(scores.ToArray(), labels.ToArray());
                figures[MetricNames.Auc(name)] = auc;
                aucs.Add(auc);
            }
        }
        if (aucs.Count > 0)
        {
            figures[MeanAuc] = aucs.Average();
        }
        if (losses.Count > 0)
        {
            figures[MeanLogLoss] = losses.Average();
        }
        return figures;
    }

    /// <summary>Mean −[y·log p + (1 − y)·log(1 − p)], p clamped to [1e-7, 1 − 1e-7].</summary>
    private static double LogLossOf(List<double> scores, List<int> labels)
    {
        double sum = 0;
        for (var i = 0; i < scores.Count; i++)
        {
            var p = Math.Clamp(scores[i], 1e-7, 1 - 1e-7);
            sum -= labels[i] == 1 ? Math.Log(p) : Math.Log(1 - p);
        }
        return sum / scores.Count;
    }
}
