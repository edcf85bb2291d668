// Batch top-k over all items for many users: score a batch of histories in one scorer call (for SASRec one
// GEMM of final hidden states × item table), drop history items, partial top-k; batches run on worker threads.
using Lodestar.Models;

namespace Lodestar.Features.SeqRec;

/// <summary>Top-k lists of many users, row-major (Users, K): user u's list is Items[u·K .. u·K + Counts[u]).</summary>
public sealed record TopKLists(int K, int[] Items, float[] Scores, int[] Counts)
{
    public int Users => Counts.Length;

    public ReadOnlySpan<int> ItemsOf(int user) => Items.AsSpan(user * K, Counts[user]);

    public ReadOnlySpan<float> ScoresOf(int user) => Scores.AsSpan(user * K, Counts[user]);
}

public static class TopKRecommender
{
    /// <summary>
    /// The k best items after each history, over items 1..itemCount, best first (ties: lower id first), with
    /// the history's own items removed when <see cref="RankingOptions.ExcludeHistory"/> is set. Batches of
    /// <see cref="RankingOptions.BatchSize"/> users go to <see cref="RankingOptions.Threads"/> workers,
    /// each with its own score buffer, so the model must be thread-safe when Threads &gt; 1.
    /// </summary>
    public static TopKLists Recommend(
        IReadOnlyList<ReadOnlyMemory<int>> histories, ISequenceRecommender model, int k, RankingOptions options)
    {
        ArgumentNullException.ThrowIfNull(histories);
        ArgumentNullException.ThrowIfNull(model);
        var itemCount = model.ItemCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(itemCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        options.Validate();
        for (var u = 0; u < histories.Count; u++)
        {
            foreach (var item in histories[u].Span)
            {
                if (item < 1 || item > itemCount)
                {
                    throw new ArgumentException($"history {u}: item {item} is outside 1..{itemCount}");
                }
            }
        }
        var lists = new TopKLists(k, new int[histories.Count * k], new float[histories.Count * k], new int[histories.Count]);
        HistoryBatches.Score(histories.Count, u => histories[u], model, options, (u, row) =>
        {
            if (options.ExcludeHistory)
            {
                HistoryBatches.ExcludeHistory(row, histories[u].Span, keep: 0);
            }
            lists.Counts[u] = ScoreRow.TopK(row, lists.Items.AsSpan(u * k, k), lists.Scores.AsSpan(u * k, k));
        });
        return lists;
    }

    /// <summary>The <paramref name="k"/> best next items after one history (best first), and their scores.</summary>
    public static (int[] Items, float[] Scores) Recommend(ISequenceRecommender model, ReadOnlyMemory<int> history, int k, bool excludeHistory)
    {
        var lists = Recommend([history], model, k, new RankingOptions { ExcludeHistory = excludeHistory, BatchSize = 1 });
        return (lists.ItemsOf(0).ToArray(), lists.ScoresOf(0).ToArray());
    }
}
