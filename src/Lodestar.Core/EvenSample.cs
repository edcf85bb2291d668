// A fixed, seed-free sample of a list: count items spread evenly over it (all of it when it is shorter), the same
// items on every run, so commands that measure "N members" measure the same ones.
namespace Lodestar.Core;

public static class EvenSample
{
    /// <summary>Items at positions ⌊i·n / k⌋ for i in [0, k), k = min(<paramref name="count"/>, n).</summary>
    public static T[] Of<T>(IReadOnlyList<T> items, int count)
    {
        var k = Math.Min(count, items.Count);
        return [.. Enumerable.Range(0, Math.Max(0, k)).Select(i => items[(int)((long)i * items.Count / k)])];
    }
}
