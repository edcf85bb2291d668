// The filter in front of every top-k heap: the next score at or above the heap's threshold. Once the heap is full
// nearly every score is below it, so comparing 16 (Vector512) or 8 (Vector256) scores at once skips them in bulk
// where a scalar loop pays a compare and a branch per score.
using System.Numerics;
using System.Runtime.Intrinsics;

namespace Lodestar.Kernels;

public static unsafe class ThresholdScan
{
    /// <summary>The first i in [start, count) with scores[i] ≥ threshold, or count when there is none (NaN never qualifies).</summary>
    public static int NextAtLeast(float* scores, int start, int count, float threshold)
    {
        var i = start;
        if (Vector512.IsHardwareAccelerated)
        {
            var bound = Vector512.Create(threshold);
            for (; i + Vector512<float>.Count <= count; i += Vector512<float>.Count)
            {
                var hits = Vector512.GreaterThanOrEqual(Vector512.Load(scores + i), bound).ExtractMostSignificantBits();
                if (hits != 0)
                {
                    return i + BitOperations.TrailingZeroCount(hits);
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var bound = Vector256.Create(threshold);
            for (; i + Vector256<float>.Count <= count; i += Vector256<float>.Count)
            {
                var hits = Vector256.GreaterThanOrEqual(Vector256.Load(scores + i), bound).ExtractMostSignificantBits();
                if (hits != 0)
                {
                    return i + BitOperations.TrailingZeroCount(hits);
                }
            }
        }
        for (; i < count; i++)
        {
            if (scores[i] >= threshold)
            {
                return i;
            }
        }
        return count;
    }
}
