// The scalar twin of FlatIndex: every item scored in double precision against the query, sorted by score and
// then id. Slow and obviously right; the index must return what it returns.
namespace Lodestar.Index.Tests;

internal sealed class FlatIndexReference
{
    private readonly Dictionary<long, (double[] Unit, long CreatedAt)> _items = [];

    public void Upsert(long id, ReadOnlySpan<float> vector, long createdAt) => _items[id] = (Unit(vector), createdAt);

    public void Delete(long id) => _items.Remove(id);

    public List<(long Id, double Score)> Search(ReadOnlySpan<float> query, int k, SearchFilter? filter = null)
    {
        var q = Unit(query);
        return [.. _items
            .Where(item => filter is null || filter.Passes(item.Key, item.Value.CreatedAt))
            .Select(item => (Id: item.Key, Score: q.Zip(item.Value.Unit, (a, b) => a * b).Sum()))
            .OrderByDescending(hit => hit.Score).ThenBy(hit => hit.Id)
            .Take(k)];
    }

    private static double[] Unit(ReadOnlySpan<float> vector)
    {
        var values = vector.ToArray().Select(v => (double)v).ToArray();
        var norm = Math.Sqrt(values.Sum(v => v * v));
        return [.. values.Select(v => v / norm)];
    }
}
