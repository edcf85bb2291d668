// The scalar twin of ThresholdScan: one compare per score, in order.
namespace Lodestar.Kernels;

public static class ThresholdScanReference
{
    /// <summary>The first i ≥ start with scores[i] ≥ threshold, or scores.Length.</summary>
    public static int NextAtLeast(ReadOnlySpan<float> scores, int start, float threshold)
    {
        for (var i = start; i < scores.Length; i++)
        {
            if (scores[i] >= threshold)
            {
                return i;
            }
        }
        return scores.Length;
    }
}
