// Per-task figures of a feed ranker over every scored impression: ROC AUC and log loss of each of the six
// actions, and their means over the tasks (the mean AUC picks the best epoch); and the mean AUC by the member's
// history length, the cold-start curve. A task with no positive or no negative among the scored impressions has
// no AUC and is left out of the mean.
using Lodestar.Evaluation.Calibration;
using Lodestar.Models.FeedRanking;

namespace Lodestar.Evaluation.FeedRanking;

public sealed class FeedRankingMetrics
{
    /// <summary>History buckets by the member's impressions before the day: 0, 1–5, 6–20, 21–100, more than 100.</summary>
    public static readonly IReadOnlyList<(int Min, int Max, string Name)> HistoryBuckets =
        [(0, 0, "history-0"), (1, 5, "history-1-5"), (6, 20, "history-6-20"), (21, 100, "history-21-100"), (101, int.MaxValue, "history-101+")];

    private readonly List<double>[] _scores = [.. Enumerable.Range(0, FeedTasks.Count).Select(_ => new List<double>())];
    private readonly List<int>[] _labels = [.. Enumerable.Range(0, FeedTasks.Count).Select(_ => new List<int>())];
    private readonly List<int> _histories = [];

    /// <summary>The mean AUC over tasks: the selection metric.</summary>
    public static string MeanAuc { get; } = MetricNames.Auc("mean");

    public static string MeanLogLoss { get; } = MetricNames.Of("logloss", "mean");

    public static string LogLoss(string task) => MetricNames.Of("logloss", task);

    /// <summary>Impressions added.</summary>
    public int Count => _labels[0].Count;

    /// <summary>
    /// probabilities is (K·6), candidate k's tasks at k·6; actions (K) are the action sets taken by a member with
    /// <paramref name="history"/> impressions before.
    /// </summary>
    public void Add(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> actions, int history)
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
            _histories.Add(history);
        }
    }

    /// <summary>
    /// auc/TASK, logloss/TASK and ece/TASK (expected calibration error, ten bins) for each task, the AUC and log-loss means, the count of impressions, and per history bucket the mean
    /// AUC (auc/mean/history-1-5) and the impressions in it (impressions/history-1-5).
    /// </summary>
    public IReadOnlyDictionary<string, double> Figures()
    {
        var figures = new Dictionary<string, double>(Figures(_ => true, "")) { ["impressions"] = Count };
        foreach (var (min, max, name) in HistoryBuckets)
        {
            var bucket = Figures(i => _histories[i] >= min && _histories[i] <= max, name);
            figures[MetricNames.Of("impressions", name)] = _histories.Count(h => h >= min && h <= max);
            if (bucket.TryGetValue(MetricNames.Of(MeanAuc, name), out var auc))
            {
                figures[MetricNames.Of(MeanAuc, name)] = auc;
            }
        }
        return figures;
    }

    /// <summary>Each task's reliability curve over every impression added (ten equal-width bins of the predicted probability), in FeedTasks order.</summary>
    public IReadOnlyList<ReliabilityCurve> Reliability() =>
        Count == 0 ? [] : [.. Enumerable.Range(0, FeedTasks.Count).Select(task => ProbabilityCalibration.Reliability(_scores[task].ToArray(), _labels[task].ToArray()))];

    /// <summary>The figures of the impressions <paramref name="keep"/> selects, their keys suffixed with /<paramref name="suffix"/> when given.</summary>
    private Dictionary<string, double> Figures(Func<int, bool> keep, string suffix)
    {
        string Key(string key) => suffix.Length == 0 ? key : MetricNames.Of(key, suffix);
        var figures = new Dictionary<string, double>();
        var rows = Enumerable.Range(0, Count).Where(keep).ToArray();
        var (aucs, losses) = (new List<double>(), new List<double>());
        for (var task = 0; task < FeedTasks.Count && rows.Length > 0; task++)
        {
            var name = FeedTasks.Names[task];
            var scores = rows.Select(i => _scores[task][i]).ToArray();
            var labels = rows.Select(i => _labels[task][i]).ToArray();
            var loss = LogLossOf(scores, labels);
            figures[Key(LogLoss(name))] = loss;
            losses.Add(loss);
            if (suffix.Length == 0)
            {
                figures[MetricNames.Ece(name)] = ProbabilityCalibration.Reliability(scores, labels).ExpectedCalibrationError;
            }
            var positives = labels.Sum();
            if (positives > 0 && positives < labels.Length)
            {
                var auc = ProbabilityCalibration.Auc(scores, labels);
                figures[Key(MetricNames.Auc(name))] = auc;
                aucs.Add(auc);
            }
        }
        if (aucs.Count > 0)
        {
            figures[Key(MeanAuc)] = aucs.Average();
        }
        if (losses.Count > 0)
        {
            figures[Key(MeanLogLoss)] = losses.Average();
        }
        return figures;
    }

    /// <summary>Mean −[y·log p + (1 − y)·log(1 − p)], p clamped to [1e-7, 1 − 1e-7].</summary>
    private static double LogLossOf(double[] scores, int[] labels)
    {
        double sum = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var p = Math.Clamp(scores[i], 1e-7, 1 - 1e-7);
            sum -= labels[i] == 1 ? Math.Log(p) : Math.Log(1 - p);
        }
        return sum / scores.Length;
    }
}
