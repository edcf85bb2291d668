// Full-ranking leave-one-out evaluation: every user's held-out item is ranked against ALL items (no
// sampled negatives), the protocol of S3-Rec/ICLRec and of Krichene & Rendle's "On Sampled Metrics" (KDD 2020).

using Lodestar.Core;
using Lodestar.Models;

namespace Lodestar.Evaluation;

public sealed record EvaluationOptions
{
    /// <summary>Remove the items of each user's history from that user's ranking, as ICLRec's published
    /// evaluation does (the target itself always stays ranked, even when it repeats a history item).
    /// False ranks history items too. Default true.</summary>
    public bool ExcludeHistory { get; init; } = true;

    /// <summary>Users per scorer call; each worker holds BatchSize × (ItemCount + 1) floats. Default 256.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Worker threads scoring disjoint batches. Default 1 (the scorer may parallelise itself).</summary>
    public int Threads { get; init; } = 1;

    public void Validate()
    {
        this.Require(BatchSize >= 1, BatchSize, "must be at least 1");
        this.Require(Threads >= 1, Threads, "must be at least 1");
    }
}

/// <summary>The outcome of one evaluation: metric means keyed as <see cref="RankingMetrics.Keys"/>, and the
/// protocol that produced them, so a number never travels without its conditions.</summary>
public sealed record RankingReport(
    IReadOnlyDictionary<string, double> Metrics,
    long Users,
    int ItemCount,
    bool HistoryExcluded,
    string TieRule)
{
    public double this[string key] => Metrics[key];
}

public static class FullRankingEvaluator
{
    /// <summary>How ties are resolved, stated in every report.</summary>
    public const string PessimisticTies = "pessimistic: items scoring equal to the target rank above it";

    /// <summary>Ranks every case's target over all items and returns the mean metrics.</summary>
    public static RankingReport Evaluate(
        IReadOnlyList<RankingCase> cases, ISequenceRecommender model, EvaluationOptions? options = null, Action<int>? onBatchDone = null)
    {
        options ??= new EvaluationOptions();
        var ranks = Rank(cases, model, options, onBatchDone);
        // Summed in case order, so the same ranks always give the same bytes whatever the thread count.
        var accumulator = new RankingMetricsAccumulator();
        foreach (var rank in ranks)
        {
            accumulator.Add(rank);
        }
        return new RankingReport(accumulator.Means(), accumulator.Users, model.ItemCount, options.ExcludeHistory, PessimisticTies);
    }

    /// <summary>The 0-based pessimistic rank of every case's target, in case order.</summary>
    public static int[] Rank(
        IReadOnlyList<RankingCase> cases, ISequenceRecommender model, EvaluationOptions options, Action<int>? onBatchDone = null)
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
        ScoreInBatches(cases.Count, u => cases[u].History, model, options, (u, row) =>
        {
            var c = cases[u];
            if (options.ExcludeHistory)
            {
                ExcludeHistory(row, c.History.Span, c.Target);
            }
            ranks[u] = ScoreRow.PessimisticRank(row, c.Target);
        }, onBatchDone);
        return ranks;
    }

    /// <summary>One user's row of scores over items 0..ItemCount, for the caller to rank or select from.</summary>
    internal delegate void ScoredRow(int user, Span<float> row);

    /// <summary>
    /// Scores users 0..users−1 in batches of <see cref="EvaluationOptions.BatchSize"/> (one ScoreBatch call each, on a
    /// worker's own zeroed buffer) on <see cref="EvaluationOptions.Threads"/> workers, and hands every user's row to
    /// <paramref name="visit"/>, which must only write state of its own user.
    /// </summary>
    internal static void ScoreInBatches(
        int users, Func<int, ReadOnlyMemory<int>> historyOf, ISequenceRecommender model, EvaluationOptions options,
        ScoredRow visit, Action<int>? onBatchDone = null)
    {
        var batches = (users + options.BatchSize - 1) / options.BatchSize;
        var width = model.ItemCount + 1;
        Parallel.For(
            0,
            batches,
            new ParallelOptions { MaxDegreeOfParallelism = options.Threads },
            () => (Scores: new float[options.BatchSize * width], Histories: new ReadOnlyMemory<int>[options.BatchSize]),
            (batch, _, buffers) =>
            {
                var start = batch * options.BatchSize;
                var count = Math.Min(options.BatchSize, users - start);
                for (var b = 0; b < count; b++)
                {
                    buffers.Histories[b] = historyOf(start + b);
                }
                var scores = buffers.Scores.AsSpan(0, count * width);
                scores.Clear();
                model.ScoreBatch(buffers.Histories.AsSpan(0, count), scores);
                for (var b = 0; b < count; b++)
                {
                    visit(start + b, scores.Slice(b * width, width));
                }
                onBatchDone?.Invoke(count);
                return buffers;
            },
            _ => { });
    }

    /// <summary>Sets the score of every history item except <paramref name="keep"/> to <see cref="ScoreRow.Excluded"/>.</summary>
    public static void ExcludeHistory(Span<float> row, ReadOnlySpan<int> history, int keep)
    {
        foreach (var item in history)
        {
            if (item != keep)
            {
                row[item] = ScoreRow.Excluded;
            }
        }
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
