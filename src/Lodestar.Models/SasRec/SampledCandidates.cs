// The candidate set of one sampled-softmax step: the batch's own targets plus popularity-drawn negatives,
// each item once, with −log q(item) to add to its logit and each target's column.
using Lodestar.Core;
using Lodestar.Tensors;

namespace Lodestar.Models.SasRec;

public sealed class SampledCandidates
{
    private SampledCandidates(int[] items, float[] negativeLogQ, int[] columns)
    {
        Items = items;
        NegativeLogQ = negativeLogQ;
        Columns = columns;
    }

    /// <summary>(K) distinct item ids: the targets first (in order of first appearance), then negatives.</summary>
    public int[] Items { get; }

    /// <summary>(K) −log q(item): subtracting log q makes the sampled softmax an unbiased estimate of the full one's gradient direction.</summary>
    public float[] NegativeLogQ { get; }

    /// <summary>(N) the column of each label in <see cref="Items"/>.</summary>
    public int[] Columns { get; }

    public static SampledCandidates Draw(int[] labels, int negatives, ItemSampler sampler, SeededRandom random)
    {
        var column = new Dictionary<int, int>(labels.Length + negatives);
        var items = new List<int>(labels.Length + negatives);
        var columns = new int[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            if (!column.TryGetValue(labels[i], out var c))
            {
                c = items.Count;
                column[labels[i]] = c;
                items.Add(labels[i]);
            }
            columns[i] = c;
        }
        for (var n = 0; n < negatives; n++)
        {
            var item = sampler.Draw(random);
            if (column.TryAdd(item, items.Count))
            {
                items.Add(item);
            }
        }
        var negativeLogQ = items.Select(j => -sampler.LogProbability[j]).ToArray();
        return new SampledCandidates([.. items], negativeLogQ, columns);
    }
}
