// The threshold scan against its scalar twin at every length 0..257, start and misaligned offset, with thresholds
// that no score, some scores or every score reaches, equal scores, NaN and infinities; the CI's second run covers
// the Vector256 path.
using Lodestar.Core;

namespace Lodestar.Kernels.Tests;

public sealed unsafe class ThresholdScanTests
{
    [Fact]
    public void NextAtLeastMatchesTheScalarTwinEverywhere()
    {
        var random = new SeededRandom(23);
        for (var length = 0; length <= 257; length++)
        {
            var offset = length % 3;
            var scores = new float[length + offset];
            random.FillUniform(scores, 1f);
            if (length > 4)
            {
                scores[offset + length / 2] = float.NaN;
                scores[offset + length / 3] = float.PositiveInfinity;
                scores[offset + length - 1] = scores[offset + 1];
            }
            var view = scores.AsSpan(offset);
            foreach (var threshold in new[] { float.NegativeInfinity, -0.5f, 0.9f, scores.Length > offset + 1 ? scores[offset + 1] : 0f, 2f, float.PositiveInfinity })
            {
                foreach (var start in new[] { 0, 1, length / 2, Math.Max(0, length - 1), length })
                {
                    if (start > length)
                    {
                        continue;
                    }
                    fixed (float* p = scores)
                    {
                        Assert.Equal(ThresholdScanReference.NextAtLeast(view, start, threshold), ThresholdScan.NextAtLeast(p + offset, start, length, threshold));
                    }
                }
            }
        }
    }
}
