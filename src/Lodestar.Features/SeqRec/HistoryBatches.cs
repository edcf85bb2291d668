// Scores many histories over the whole item vocabulary in batches, one ScoreBatch call each on worker
// threads with their own buffers, and hands every user's row on; the one loop behind evaluation and top-k.
using Lodestar.Models;

namespace Lodestar.Features.SeqRec;

public static class HistoryBatches
{
    /// <summary>One user's row of scores over items 0..ItemCount, for the caller to rank or select from.</summary>
    public delegate void ScoredRow(int user, Span<float> row);

    /// <summary>
    /// Scores users 0..users−1 in batches of <see cref="RankingOptions.BatchSize"/> (one ScoreBatch call each, on a
    /// worker's own zeroed buffer) on <see cref="RankingOptions.Threads"/> workers, and hands every user's row to
    /// <paramref name="visit"/>, which must only write state of its own user.
    /// </summary>
    public static void Score(
        int users, Func<int, ReadOnlyMemory<int>> historyOf, ISequenceRecommender model, RankingOptions options,
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

    /// <summary>The published rule (HistoryMask.Published): every history item and the padding item 0 score 0.</summary>
    public static void ZeroHistory(Span<float> row, ReadOnlySpan<int> history)
    {
        row[0] = 0;
        foreach (var item in history)
        {
            row[item] = 0;
        }
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
}
