// The items of an engagement log (feed posts, jobs) in the order they come to exist, by day then id, so the items that
// exist by any day are a prefix; and the days a log's events span. Shared by every IRetrievalLog.
using Lodestar.Core;

namespace Lodestar.Features.Retrieval;

internal sealed class ItemsByDay
{
    private readonly long[] _ids;
    private readonly int[] _days;

    public ItemsByDay(IEnumerable<(long Id, int Day)> items)
    {
        var ordered = items.OrderBy(i => i.Day).ThenBy(i => i.Id).ToArray();
        _ids = [.. ordered.Select(i => i.Id)];
        _days = [.. ordered.Select(i => i.Day)];
    }

    /// <summary>Items created on or before <paramref name="day"/>, by creation day then id.</summary>
    public ReadOnlySpan<long> CreatedBy(int day) => _ids.AsSpan(0, SortedSearch.LowerBound(_days, day + 1));

    /// <summary>The first and last day among <paramref name="days"/>; (0, −1) when there are none.</summary>
    public static (int First, int Last) Span(IEnumerable<int> days)
    {
        var (first, last, any) = (int.MaxValue, int.MinValue, false);
        foreach (var day in days)
        {
            (first, last, any) = (Math.Min(first, day), Math.Max(last, day), true);
        }
        return any ? (first, last) : (0, -1);
    }
}
