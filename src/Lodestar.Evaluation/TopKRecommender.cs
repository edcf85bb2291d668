// Batch top-k over all items for many users: score a batch of histories in one scorer call (for SASRec one
// GEMM of final hidden states × item table), drop history items, partial top-k; batches run on worker threads.

namespace Lodestar.Evaluation;

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
    /// the history's own items removed when <see cref="EvaluationOptions.ExcludeHistory"/> is set. Batches of
    /// <see cref="EvaluationOptions.BatchSize"/> users go to <see cref="EvaluationOptions.Threads"/> workers,
    /// each with its own score buffer, so the scorer must be thread-safe when Threads &gt; 1.
    /// </summary>
    public static TopKLists Recommend(
        IReadOnlyList<ReadOnlyMemory<int>> histories, int itemCount, int k, BatchScorer scorer, EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(histories);
        ArgumentNullException.ThrowIfNull(scorer);
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
        var width = itemCount + 1;
        var batches = (histories.Count + options.BatchSize - 1) / options.BatchSize;
        Parallel.For(
            0,
            batches,
            new ParallelOptions { MaxDegreeOfParallelism = options.Threads },
            () => (Scores: new float[options.BatchSize * width], Batch: new ReadOnlyMemory<int>[options.BatchSize]),
            (batch, _, buffers) =>
            {
                var start = batch * options.BatchSize;
                var count = Math.Min(options.BatchSize, histories.Count - start);
                for (var b = 0; b < count; b++)
                {
                    buffers.Batch[b] = histories[start + b];
                }
                var scores = buffers.Scores.AsSpan(0, count * width);
                scores.Clear();
                scorer(buffers.Batch.AsSpan(0, count), scores);
                for (var b = 0; b < count; b++)
                {
                    var row = scores.Slice(b * width, width);
                    if (options.ExcludeHistory)
                    {
                        FullRankingEvaluator.ExcludeHistory(row, buffers.Batch[b].Span, keep: 0);
                    }
                    var user = start + b;
                    lists.Counts[user] = ScoreRow.TopK(row, lists.Items.AsSpan(user * k, k), lists.Scores.AsSpan(user * k, k));
                }
                return buffers;
            },
            _ => { });
        return lists;
    }
}
