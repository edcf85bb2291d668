// Binary search in ascending arrays, the one copy: where a value would be inserted before its equals.
namespace Lodestar.Core;

public static class SortedSearch
{
    /// <summary>The index of the first element of ascending <paramref name="sorted"/> that is at least
    /// <paramref name="value"/>, or its length when none is (C++'s std::lower_bound).</summary>
    public static int LowerBound<T>(ReadOnlySpan<T> sorted, T value)
        where T : IComparable<T>
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (sorted[mid].CompareTo(value) < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }
}
