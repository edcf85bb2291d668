// The k best (score, id) pairs seen so far, in a binary min-heap whose root is the worst kept pair: a new pair
// costs one comparison when it does not qualify, O(log k) when it does. Buffers come from the caller so a warm
// search allocates nothing.
namespace Lodestar.Index;

internal ref struct TopK
{
    private readonly Span<float> _scores;
    private readonly Span<long> _ids;
    private int _count;

    /// <summary>A heap over caller buffers of length k (k ≥ 1) already holding <paramref name="count"/> pairs in heap order.</summary>
    public TopK(Span<float> scores, Span<long> ids, int count = 0)
    {
        _scores = scores;
        _ids = ids;
        _count = count;
    }

    public readonly int Count => _count;

    /// <summary>The worst kept score while full, −∞ before: a candidate must beat it to enter.</summary>
    public readonly float Threshold => _count == _scores.Length ? _scores[0] : float.NegativeInfinity;

    public void Add(float score, long id)
    {
        if (_count < _scores.Length)
        {
            var i = _count++;
            _scores[i] = score;
            _ids[i] = id;
            SiftUp(i);
            return;
        }
        if (!SearchHit.Precedes(score, id, _scores[0], _ids[0]))
        {
            return;
        }
        _scores[0] = score;
        _ids[0] = id;
        SiftDown(0);
    }

    /// <summary>Adds every pair another heap kept.</summary>
    public void AddAll(ReadOnlySpan<float> scores, ReadOnlySpan<long> ids)
    {
        for (var i = 0; i < scores.Length; i++)
        {
            Add(scores[i], ids[i]);
        }
    }

    /// <summary>Writes the kept pairs best first into <paramref name="destination"/> and returns how many; empties the heap.</summary>
    public int DrainSorted(Span<SearchHit> destination)
    {
        var n = _count;
        for (var i = n - 1; i >= 0; i--)
        {
            destination[i] = new SearchHit(_ids[0], _scores[0]);
            _count--;
            _scores[0] = _scores[_count];
            _ids[0] = _ids[_count];
            SiftDown(0);
        }
        return n;
    }

    /// <summary>True when pair a is worse than pair b (belongs nearer the root).</summary>
    private readonly bool Worse(int a, int b) => SearchHit.Precedes(_scores[b], _ids[b], _scores[a], _ids[a]);

    private readonly void SiftUp(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!Worse(i, parent))
            {
                return;
            }
            Swap(i, parent);
            i = parent;
        }
    }

    private readonly void SiftDown(int i)
    {
        while (true)
        {
            var left = 2 * i + 1;
            if (left >= _count)
            {
                return;
            }
            var worst = left + 1 < _count && Worse(left + 1, left) ? left + 1 : left;
            if (!Worse(worst, i))
            {
                return;
            }
            Swap(i, worst);
            i = worst;
        }
    }

    private readonly void Swap(int a, int b)
    {
        (_scores[a], _scores[b]) = (_scores[b], _scores[a]);
        (_ids[a], _ids[b]) = (_ids[b], _ids[a]);
    }
}
