// Turns an AttentionMask into the list of (query rows × key tile) blocks a fused kernel must visit for one
// query tile, so the work scales with the allowed area (FlexAttention-style block sparsity) and not T².
namespace Lodestar.Kernels;

/// <summary>Receives the key tiles to process for a block of query rows.</summary>
internal interface IAttentionTileVisitor
{
    /// <summary>
    /// Rows [rowStart,rowEnd) against keys [keyStart,keyEnd). When <paramref name="elementMask"/> is set,
    /// some pairs in the block are masked and must be checked with <see cref="AttentionTiling.IsMasked"/>.
    /// </summary>
    void Tile(int rowStart, int rowEnd, int keyStart, int keyEnd, bool causal, bool elementMask);

    /// <summary>Each row i in [rowStart,rowEnd) against key i alone (isolated single-token candidates).</summary>
    void Diagonal(int rowStart, int rowEnd, bool keyMask);
}

internal static class AttentionTiling
{
    /// <summary>Query rows per tile (Br in FlashAttention-2).</summary>
    public const int QueryTile = 64;
    /// <summary>Keys per tile (Bc in FlashAttention-2).</summary>
    public const int KeyTile = 128;
    /// <summary>Rows per band when the causal diagonal is cut into a staircase.</summary>
    public const int DiagonalBand = 16;

    /// <summary>Visits every allowed key tile of query rows [i0,i1) in batch <paramref name="batch"/>.</summary>
    public static void ForEachTile<TVisitor>(in AttentionMask mask, int batch, int tokens, int i0, int i1, ref TVisitor visitor)
        where TVisitor : struct, IAttentionTileVisitor, allows ref struct
    {
        int keyLimit = mask.KeyLengths is null ? tokens : mask.KeyLengths[batch];
        bool keyMask = mask.KeyKeep is not null;
        var block = mask.Block;
        if (block is null && mask.IsolatedPrefix is { } prefixes)
        {
            // Rows of the prefix see keys of the prefix; rows after it see every key.
            int prefix = prefixes[batch];
            if (i0 < prefix)
            {
                EmitRange(i0, Math.Min(i1, prefix), 0, Math.Min(prefix, keyLimit), mask.Causal, keyMask, ref visitor);
            }
            if (i1 > prefix)
            {
                EmitRange(Math.Max(i0, prefix), i1, 0, keyLimit, mask.Causal, keyMask, ref visitor);
            }
            return;
        }
        if (block is null)
        {
            EmitRange(i0, i1, 0, keyLimit, mask.Causal, keyMask, ref visitor);
            return;
        }
        int firstGroup = block.GroupOfRow(i0);
        int lastGroup = block.GroupOfRow(i1 - 1);
        // Ranges of the first group that every group of the tile also has (same bounds, same causality) are
        // processed once for all rows; bit r of `shared` marks the first group's r-th range.
        ulong shared = 0;
        int firstRanges = Math.Min(64, block.RangeEnd(firstGroup) - block.RangeBegin(firstGroup));
        for (int r = 0; r < firstRanges; r++)
        {
            int range = block.RangeBegin(firstGroup) + r;
            if (IsSharedByAll(block, firstGroup, lastGroup, block.RangeStart(range), block.RangeStop(range), block.GroupIsCausal(firstGroup)))
            {
                shared |= 1UL << r;
                int end = Math.Min(block.RangeStop(range), keyLimit);
                EmitRange(i0, i1, block.RangeStart(range), end, mask.Causal || block.GroupIsCausal(firstGroup), keyMask, ref visitor);
            }
        }
        int diagonalStart = -1, diagonalEnd = -1;
        for (int g = firstGroup; g <= lastGroup; g++)
        {
            int rowStart = Math.Max(i0, block.GroupStart(g));
            int rowEnd = Math.Min(i1, block.GroupEnd(g));
            if (rowEnd - rowStart == 1 && rowStart < keyLimit && IsSelfOnly(block, g, firstGroup, shared, rowStart))
            {
                // Runs of one-row groups that add only their own key are handed over in one batch.
                diagonalStart = diagonalStart < 0 ? rowStart : diagonalStart;
                diagonalEnd = rowEnd;
                continue;
            }
            if (diagonalStart >= 0)
            {
                visitor.Diagonal(diagonalStart, diagonalEnd, keyMask);
                diagonalStart = -1;
            }
            bool causal = mask.Causal || block.GroupIsCausal(g);
            for (int r = block.RangeBegin(g); r < block.RangeEnd(g); r++)
            {
                int start = block.RangeStart(r);
                if (shared != 0 && IsMarkedShared(block, firstGroup, shared, start, block.RangeStop(r)))
                {
                    continue;
                }
                EmitRange(rowStart, rowEnd, start, Math.Min(block.RangeStop(r), keyLimit), causal, keyMask, ref visitor);
            }
        }
        if (diagonalStart >= 0)
        {
            visitor.Diagonal(diagonalStart, diagonalEnd, keyMask);
        }
    }

    // Whether the ranges of one-row group g left after the shared ones are exactly [row, row+1).
    private static bool IsSelfOnly(BlockMask block, int group, int firstGroup, ulong shared, int row)
    {
        bool self = false;
        for (int r = block.RangeBegin(group); r < block.RangeEnd(group); r++)
        {
            int start = block.RangeStart(r), stop = block.RangeStop(r);
            if (shared != 0 && IsMarkedShared(block, firstGroup, shared, start, stop))
            {
                continue;
            }
            if (start != row || stop != row + 1 || self)
            {
                return false;
            }
            self = true;
        }
        return self;
    }

    private static bool IsMarkedShared(BlockMask block, int firstGroup, ulong shared, int start, int end)
    {
        for (; shared != 0; shared &= shared - 1)
        {
            int range = block.RangeBegin(firstGroup) + System.Numerics.BitOperations.TrailingZeroCount(shared);
            if (block.RangeStart(range) == start && block.RangeStop(range) == end)
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsSharedByAll(BlockMask block, int firstGroup, int lastGroup, int start, int end, bool causal)
    {
        for (int g = firstGroup; g <= lastGroup; g++)
        {
            if (block.GroupIsCausal(g) != causal || !HasRange(block, g, start, end))
            {
                return false;
            }
        }
        return true;
    }

    private static bool HasRange(BlockMask block, int group, int start, int end)
    {
        for (int r = block.RangeBegin(group); r < block.RangeEnd(group); r++)
        {
            if (block.RangeStart(r) == start && block.RangeStop(r) == end)
            {
                return true;
            }
        }
        return false;
    }

    private static void EmitRange<TVisitor>(int rowStart, int rowEnd, int keyStart, int keyEnd, bool causal, bool keyMask, ref TVisitor visitor)
        where TVisitor : struct, IAttentionTileVisitor, allows ref struct
    {
        if (!causal)
        {
            EmitKeyTiles(rowStart, rowEnd, keyStart, keyEnd, causal: false, keyMask, ref visitor);
            return;
        }
        // Keys before the first row are allowed for every row: plain tiles. The triangle from there is cut
        // into bands of DiagonalBand rows, each only as wide as its last row, so little masked work is done.
        keyEnd = Math.Min(keyEnd, rowEnd);
        int sharedEnd = Math.Max(keyStart, Math.Min(keyEnd, rowStart));
        EmitKeyTiles(rowStart, rowEnd, keyStart, sharedEnd, causal: true, keyMask, ref visitor);
        int triangleStart = Math.Max(keyStart, sharedEnd);
        for (int r0 = rowStart; r0 < rowEnd; r0 += DiagonalBand)
        {
            int r1 = Math.Min(rowEnd, r0 + DiagonalBand);
            int bandEnd = Math.Min(keyEnd, r1);
            if (bandEnd > triangleStart)
            {
                visitor.Tile(r0, r1, triangleStart, bandEnd, causal: true, elementMask: true);
            }
        }
    }

    private static void EmitKeyTiles<TVisitor>(int rowStart, int rowEnd, int keyStart, int keyEnd, bool causal, bool keyMask, ref TVisitor visitor)
        where TVisitor : struct, IAttentionTileVisitor, allows ref struct
    {
        for (int j0 = keyStart; j0 < keyEnd; j0 += KeyTile)
        {
            visitor.Tile(rowStart, rowEnd, j0, Math.Min(keyEnd, j0 + KeyTile), causal, keyMask);
        }
    }

    /// <summary>Whether (query, key) is masked inside a block flagged elementMask.</summary>
    public static bool IsMasked(in AttentionMask mask, int batch, int tokens, int query, int key, bool causal) =>
        (causal && key > query) || (mask.KeyKeep is not null && mask.KeyKeep[batch * tokens + key] == 0);
}
