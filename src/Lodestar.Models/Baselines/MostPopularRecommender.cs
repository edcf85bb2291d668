// The most-popular baseline: every user gets the items with the most training interactions. Any
// sequential model has to beat it by a clear margin on the same evaluation before its gain means anything.
namespace Lodestar.Models.Baselines;

public sealed class MostPopularRecommender : ISequenceRecommender
{
    private readonly float[] _counts;

    private MostPopularRecommender(float[] counts)
    {
        _counts = counts;
    }

    public int ItemCount => _counts.Length - 1;

    /// <summary>Interaction count of every item (index = item id), from the training sequences.</summary>
    public ReadOnlySpan<float> Counts => _counts;

    /// <summary>Counts interactions over <paramref name="trainingSequences"/> (item ids 1..itemCount).</summary>
    public static MostPopularRecommender Fit(IReadOnlyList<ReadOnlyMemory<int>> trainingSequences, int itemCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(itemCount, 1);
        return new MostPopularRecommender(ItemCounts(trainingSequences, itemCount));
    }

    /// <summary>Interactions per item id: (itemCount + 1) floats, index 0 unused. Throws naming the sequence of a bad id.</summary>
    public static float[] ItemCounts(IReadOnlyList<ReadOnlyMemory<int>> sequences, int itemCount)
    {
        var counts = new float[itemCount + 1];
        for (var s = 0; s < sequences.Count; s++)
        {
            foreach (var item in sequences[s].Span)
            {
                if (item < 1 || item > itemCount)
                {
                    throw new ArgumentException($"training sequence {s}: item {item} is outside 1..{itemCount}");
                }
                counts[item]++;
            }
        }
        return counts;
    }

    public void ScoreBatch(ReadOnlySpan<ReadOnlyMemory<int>> histories, Span<float> scores)
    {
        var width = _counts.Length;
        for (var b = 0; b < histories.Length; b++)
        {
            _counts.CopyTo(scores.Slice(b * width, width));
        }
    }
}
