// Operations on one row of scores over the whole item vocabulary: the pessimistic rank of a held-out item
// (counting, no sort) and a top-k partial selection; both O(items) with no allocation.
using System.Numerics;
using System.Runtime.InteropServices;

namespace Lodestar.Models;

/// <summary>
/// A score row has <c>ItemCount + 1</c> columns: item ids are 1..ItemCount and column 0 is the padding id,
/// never ranked. Items removed from a ranking carry <see cref="float.NegativeInfinity"/>.
/// </summary>
public static class ScoreRow
{
    /// <summary>The score that removes an item from the ranking.</summary>
    public const float Excluded = float.NegativeInfinity;

    /// <summary>
    /// 0-based rank of <paramref name="target"/> with ties broken against it: the number of other items
    /// 1..ItemCount whose score is not below the target's (a NaN counts as not below). Excluded items
    /// (-inf) never count. A NaN or -inf target gets the worst rank, ItemCount - 1.
    /// </summary>
    public static int PessimisticRank(ReadOnlySpan<float> scores, int target)
    {
        var itemCount = scores.Length - 1;
        ArgumentOutOfRangeException.ThrowIfLessThan(itemCount, 1, nameof(scores));
        ArgumentOutOfRangeException.ThrowIfLessThan(target, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(target, itemCount);
        var targetScore = scores[target];
        if (float.IsNaN(targetScore) || float.IsNegativeInfinity(targetScore))
        {
            return itemCount - 1;
        }
        // rank = (others) - (others strictly below); the target itself is never below its own score.
        return itemCount - 1 - CountBelow(scores[1..], targetScore);
    }

    /// <summary>Number of entries strictly below <paramref name="threshold"/> (NaN is not below anything).</summary>
    public static int CountBelow(ReadOnlySpan<float> values, float threshold)
    {
        var i = 0;
        var count = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            var limit = new Vector<float>(threshold);
            var lanes = Vector<int>.Zero;
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
            foreach (var v in vectors)
            {
                // LessThan yields -1 in every lane where v < limit.
                lanes -= Vector.LessThan(v, limit);
            }
            count = Vector.Sum(lanes);
            i = vectors.Length * Vector<float>.Count;
        }
        for (; i < values.Length; i++)
        {
            if (values[i] < threshold)
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>
    /// Writes the ids of the k best items (1..ItemCount) into <paramref name="items"/> in descending score
    /// order and returns how many were written (fewer than k when fewer items are rankable). Excluded (-inf)
    /// and NaN scores are skipped; equal scores are ordered by the lower item id.
    /// </summary>
    public static int TopK(ReadOnlySpan<float> scores, Span<int> items, Span<float> bestScores)
    {
        var k = Math.Min(items.Length, bestScores.Length);
        var size = 0;
        for (var item = 1; item < scores.Length; item++)
        {
            var score = scores[item];
            if (!(score > float.NegativeInfinity))
            {
                continue;
            }
            if (size < k)
            {
                bestScores[size] = score;
                items[size] = item;
                SiftUp(bestScores, items, size++);
            }
            else if (k > 0 && Better(score, item, bestScores[0], items[0]))
            {
                bestScores[0] = score;
                items[0] = item;
                SiftDown(bestScores, items, size);
            }
        }
        // Heap sort in place: repeatedly move the worst of the heap to the end.
        for (var end = size - 1; end > 0; end--)
        {
            Swap(bestScores, items, 0, end);
            SiftDown(bestScores, items, end);
        }
        return size;
    }

    // Min-heap on "goodness": the root is the worst kept item, so a newcomer only has to beat the root.
    private static bool Better(float scoreA, int itemA, float scoreB, int itemB) =>
        scoreA > scoreB || (scoreA == scoreB && itemA < itemB);

    private static void SiftUp(Span<float> scores, Span<int> items, int index)
    {
        while (index > 0)
        {
            var parent = (index - 1) / 2;
            if (!Better(scores[parent], items[parent], scores[index], items[index]))
            {
                return;
            }
            Swap(scores, items, parent, index);
            index = parent;
        }
    }

    private static void SiftDown(Span<float> scores, Span<int> items, int size)
    {
        var index = 0;
        while (true)
        {
            var left = (2 * index) + 1;
            if (left >= size)
            {
                return;
            }
            var worst = left;
            var right = left + 1;
            if (right < size && Better(scores[left], items[left], scores[right], items[right]))
            {
                worst = right;
            }
            if (!Better(scores[index], items[index], scores[worst], items[worst]))
            {
                return;
            }
            Swap(scores, items, index, worst);
            index = worst;
        }
    }

    private static void Swap(Span<float> scores, Span<int> items, int a, int b)
    {
        (scores[a], scores[b]) = (scores[b], scores[a]);
        (items[a], items[b]) = (items[b], items[a]);
    }
}
