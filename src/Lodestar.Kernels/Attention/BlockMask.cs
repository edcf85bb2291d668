// Block-sparse attention mask: contiguous query groups, each allowed a few [start,end) key ranges, so a
// fused attention kernel can visit only the allowed key tiles and its cost scales with the allowed area.
namespace Lodestar.Kernels;

/// <summary>
/// Query rows [0,T) are cut into contiguous groups; every row of a group may attend to the same sorted,
/// disjoint key ranges, optionally also restricted to keys ≤ the query row (causal). Immutable.
/// </summary>
public sealed class BlockMask
{
    private readonly int[] _groupStarts;    // (G+1): group g is query rows [_groupStarts[g], _groupStarts[g+1])
    private readonly int[] _rangeOffsets;   // (G+1): group g owns ranges [_rangeOffsets[g], _rangeOffsets[g+1])
    private readonly int[] _rangeStarts;    // (R)
    private readonly int[] _rangeEnds;      // (R)
    private readonly bool[] _causal;        // (G)
    private readonly int[] _groupOfRow;     // (T)

    private BlockMask(int length, List<int> groupStarts, List<int> rangeOffsets, List<int> rangeStarts,
        List<int> rangeEnds, List<bool> causal)
    {
        Length = length;
        _groupStarts = [.. groupStarts];
        _rangeOffsets = [.. rangeOffsets];
        _rangeStarts = [.. rangeStarts];
        _rangeEnds = [.. rangeEnds];
        _causal = [.. causal];
        _groupOfRow = new int[length];
        for (int g = 0; g < GroupCount; g++)
        {
            _groupOfRow.AsSpan(_groupStarts[g], _groupStarts[g + 1] - _groupStarts[g]).Fill(g);
        }
    }

    /// <summary>Sequence length T (queries and keys).</summary>
    public int Length { get; }

    public int GroupCount => _causal.Length;

    internal int GroupStart(int group) => _groupStarts[group];
    internal int GroupEnd(int group) => _groupStarts[group + 1];
    internal int GroupOfRow(int row) => _groupOfRow[row];
    internal bool GroupIsCausal(int group) => _causal[group];
    internal int RangeBegin(int group) => _rangeOffsets[group];
    internal int RangeEnd(int group) => _rangeOffsets[group + 1];
    internal int RangeStart(int range) => _rangeStarts[range];
    internal int RangeStop(int range) => _rangeEnds[range];

    /// <summary>Whether query row <paramref name="query"/> may attend to key <paramref name="key"/>.</summary>
    public bool Allows(int query, int key)
    {
        int group = _groupOfRow[query];
        if (_causal[group] && key > query)
        {
            return false;
        }
        for (int r = _rangeOffsets[group]; r < _rangeOffsets[group + 1]; r++)
        {
            if (key >= _rangeStarts[r] && key < _rangeEnds[r])
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Number of allowed (query, key) pairs: the work a sparse kernel must do.</summary>
    public long AllowedArea()
    {
        long area = 0;
        for (int g = 0; g < GroupCount; g++)
        {
            for (int row = _groupStarts[g]; row < _groupStarts[g + 1]; row++)
            {
                for (int r = _rangeOffsets[g]; r < _rangeOffsets[g + 1]; r++)
                {
                    int end = _causal[g] ? Math.Min(_rangeEnds[r], row + 1) : _rangeEnds[r];
                    area += Math.Max(0, end - _rangeStarts[r]);
                }
            }
        }
        return area;
    }

    /// <summary>
    /// The ranking pattern: a shared member context [0,contextLength) followed by candidates of the given
    /// lengths. Context rows see the context (causally if <paramref name="causalContext"/>); each candidate
    /// sees the whole context and itself (causally inside itself if causal), never another candidate.
    /// </summary>
    public static BlockMask SharedContextWithIsolatedCandidates(int contextLength, ReadOnlySpan<int> candidateLengths, bool causalContext)
    {
        if (contextLength < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(contextLength), contextLength, "context length must be ≥ 0");
        }
        int total = contextLength;
        foreach (int length in candidateLengths)
        {
            if (length <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(candidateLengths), length, "every candidate length must be ≥ 1");
            }
            total += length;
        }
        var builder = new Builder(total);
        if (contextLength > 0)
        {
            builder.AddGroup(contextLength, causalContext, (0, contextLength));
        }
        int start = contextLength;
        foreach (int length in candidateLengths)
        {
            if (contextLength > 0)
            {
                builder.AddGroup(length, causalContext, (0, contextLength), (start, start + length));
            }
            else
            {
                builder.AddGroup(length, causalContext, (start, start + length));
            }
            start += length;
        }
        return builder.Build();
    }

    /// <summary>Adds query groups in row order; Build() checks that they cover [0,T).</summary>
    public sealed class Builder(int length)
    {
        private readonly List<int> _groupStarts = [0];
        private readonly List<int> _rangeOffsets = [0];
        private readonly List<int> _rangeStarts = [];
        private readonly List<int> _rangeEnds = [];
        private readonly List<bool> _causal = [];

        /// <summary>Next <paramref name="rows"/> query rows attend to the given sorted, disjoint key ranges.</summary>
        public Builder AddGroup(int rows, bool causal, params ReadOnlySpan<(int Start, int End)> keyRanges)
        {
            int groupIndex = _causal.Count;
            int first = _groupStarts[^1];
            if (rows <= 0 || first + rows > length)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), rows,
                    $"group {groupIndex}: rows must be ≥ 1 and end within T={length} (group starts at row {first})");
            }
            int previousEnd = 0;
            for (int r = 0; r < keyRanges.Length; r++)
            {
                var (start, end) = keyRanges[r];
                if (start < previousEnd || end <= start || end > length)
                {
                    throw new ArgumentException(
                        $"group {groupIndex}, key range {r} [{start},{end}): ranges must be non-empty, sorted, disjoint and within [0,{length})",
                        nameof(keyRanges));
                }
                _rangeStarts.Add(start);
                _rangeEnds.Add(end);
                previousEnd = end;
            }
            _groupStarts.Add(first + rows);
            _rangeOffsets.Add(_rangeStarts.Count);
            _causal.Add(causal);
            return this;
        }

        public BlockMask Build()
        {
            if (_groupStarts[^1] != length)
            {
                throw new InvalidOperationException($"block mask groups cover query rows [0,{_groupStarts[^1]}) but T={length}");
            }
            return new BlockMask(length, _groupStarts, _rangeOffsets, _rangeStarts, _rangeEnds, _causal);
        }
    }
}
