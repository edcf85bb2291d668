// Draws negative items in proportion to their training popularity for the sampled softmax, and gives
// log q(item), the per-draw probability the logQ correction subtracts (Yi et al., RecSys 2019).
using Lodestar.Core;
using Lodestar.Tensors;

namespace Lodestar.Models.SasRec;

public sealed class ItemSampler
{
    // _cumulative[j] = Σ_{i ≤ j} weight(i) over item ids 1..ItemCount (index 0 holds 0).
    private readonly double[] _cumulative;

    /// <param name="counts">(ItemCount + 1) interaction counts; every item gets count + 1 so none is unreachable.</param>
    public ItemSampler(ReadOnlySpan<float> counts)
    {
        _cumulative = new double[counts.Length];
        LogProbability = new float[counts.Length];
        for (var j = 1; j < counts.Length; j++)
        {
            _cumulative[j] = _cumulative[j - 1] + counts[j] + 1.0;
        }
        var total = _cumulative[^1];
        for (var j = 1; j < counts.Length; j++)
        {
            LogProbability[j] = (float)Math.Log((counts[j] + 1.0) / total);
        }
    }

    /// <summary>log q(j) for item ids 1..ItemCount.</summary>
    public float[] LogProbability { get; }

    /// <summary>One item id drawn in proportion to count + 1.</summary>
    public int Draw(SeededRandom random)
    {
        var u = random.NextDouble() * _cumulative[^1];
        var index = Array.BinarySearch(_cumulative, u);
        index = index < 0 ? ~index : index + 1;
        return Math.Clamp(index, 1, _cumulative.Length - 1);
    }
}
