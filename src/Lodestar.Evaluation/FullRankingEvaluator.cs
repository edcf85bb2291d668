// Full-ranking leave-one-out evaluation: every user's held-out item is ranked against ALL items (no
// sampled negatives), the protocol of S3-Rec/ICLRec and of Krichene & Rendle's "On Sampled Metrics" (KDD 2020).

using Lodestar.Core;
using Lodestar.Features.SeqRec;
using Lodestar.Models;

namespace Lodestar.Evaluation;

/// <summary>The outcome of one evaluation: metric means keyed as <see cref="RankingMetrics.Keys"/>, and the
/// protocol that produced them, so a number never travels without its conditions.</summary>
public sealed record RankingReport(
    IReadOnlyDictionary<string, double> Metrics,
    long Users,
    int ItemCount,
    bool HistoryExcluded,
    string TieRule)
{
    /// <summary>How seen items were treated (HistoryMasks.Describe), stated beside the figures.</summary>
    public string HistoryRule { get; init; } = "";

    public double this[string key] => Metrics[key];
}

public static class FullRankingEvaluator
{
    /// <summary>How ties are resolved, stated in every report.</summary>
    public const string PessimisticTies = "pessimistic: items scoring equal to the target rank above it";

    /// <summary>Ranks every case's target over all items and returns the mean metrics.</summary>
    public static RankingReport Evaluate(
        IReadOnlyList<RankingCase> cases, ISequenceRecommender model, RankingOptions? options = null, Action<int>? onBatchDone = null)
    {
        options ??= new RankingOptions();
        var ranks = Rank(cases, model, options, onBatchDone);
        // Summed in case order, so the same ranks always give the same bytes whatever the thread count.
        var accumulator = new RankingMetricsAccumulator();
        foreach (var rank in ranks)
        {
            accumulator.Add(rank);
        }
        return new RankingReport(accumulator.Means(), accumulator.Users, model.ItemCount, options.ExcludeHistory, PessimisticTies)
        {
            HistoryRule = HistoryMasks.Describe(options),
        };
    }

    /// <summary>The 0-based pessimistic rank of every case's target, in case order.</summary>
    public static int[] Rank(
        IReadOnlyList<RankingCase> cases, ISequenceRecommender model, RankingOptions options, Action<int>? onBatchDone = null)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(model);
        var itemCount = model.ItemCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(itemCount, 1);
        options.Validate();
        foreach (var c in cases)
        {
            Check(c, itemCount);
        }
        var ranks = new int[cases.Count];
        HistoryBatches.Score(cases.Count, u => cases[u].History, model, options, (u, row) =>
        {
            var c = cases[u];
            if (options.ExcludeHistory && options.HistoryMask == HistoryMask.Published)
            {
                // The padding item is one more ranked item, with score 0.
                HistoryBatches.ZeroHistory(row, c.History.Span);
                ranks[u] = ScoreRow.PessimisticRank(row, c.Target) + (row[0] >= row[c.Target] ? 1 : 0);
                return;
            }
            if (options.ExcludeHistory)
            {
                HistoryBatches.ExcludeHistory(row, c.History.Span, c.Target);
            }
            ranks[u] = ScoreRow.PessimisticRank(row, c.Target);
        }, onBatchDone);
        return ranks;
    }

    private static void Check(RankingCase c, int itemCount)
    {
        if (c.Target < 1 || c.Target > itemCount)
        {
            throw new ArgumentException($"user {c.User}: target item {c.Target} is outside 1..{itemCount}");
        }
        foreach (var item in c.History.Span)
        {
            if (item < 1 || item > itemCount)
            {
                throw new ArgumentException($"user {c.User}: history item {item} is outside 1..{itemCount}");
            }
        }
    }
}
