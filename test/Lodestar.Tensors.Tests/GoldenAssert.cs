// Comparison against PyTorch golden values, shared by the engine's test projects: the error of a tensor
// is ‖ours − reference‖∞ / ‖reference‖∞, so tiny entries are judged on the tensor's own scale.
namespace Lodestar.Tensors.Tests;

internal static class GoldenAssert
{
    public static void Close(string name, ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxDiff = 0, maxRef = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs((double)actual[i] - expected[i]));
            maxRef = Math.Max(maxRef, Math.Abs((double)expected[i]));
        }
        var relative = maxDiff / Math.Max(maxRef, 1e-30);
        Assert.True(relative <= tolerance, $"{name}: max |ours − PyTorch| = {maxDiff:E3}, relative {relative:E3} > {tolerance:E0}");
    }
}
