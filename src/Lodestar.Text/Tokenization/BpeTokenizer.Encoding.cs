// The encoding hot path: added-token split, hand-written pre-tokenizer, bounded word cache, and
// merge-by-rank over stack buffers; results go to a sink so counting allocates nothing.
using System.Buffers;
using System.Text;

namespace Lodestar.Text.Tokenization;

public sealed partial class BpeTokenizer
{
    private interface ITokenSink
    {
        void Add(int id);

        void AddRange(ReadOnlySpan<int> ids);
    }

    private void EncodeCore<TSink>(ReadOnlySpan<char> text, ref TSink sink)
        where TSink : struct, ITokenSink
    {
        while (!text.IsEmpty)
        {
            if (!matcher.FindNext(text, out var start, out var length, out var addedId))
            {
                EncodeOrdinary(text, ref sink);
                return;
            }
            EncodeOrdinary(text[..start], ref sink);
            sink.Add(addedId);
            text = text[(start + length)..];
        }
    }

    private void EncodeOrdinary<TSink>(ReadOnlySpan<char> text, ref TSink sink)
        where TSink : struct, ITokenSink
    {
        while (!text.IsEmpty)
        {
            var length = ByteLevelPreTokenizer.NextLength(text);
            EncodePiece(text[..length], ref sink);
            text = text[length..];
        }
    }

    private void EncodePiece<TSink>(ReadOnlySpan<char> piece, ref TSink sink)
        where TSink : struct, ITokenSink
    {
        var cacheable = cacheCapacity > 0 && piece.Length <= MaxCachedPieceLength;
        if (cacheable && cacheBySpan.TryGetValue(piece, out var cached))
        {
            sink.AddRange(cached);
            return;
        }
        var maxBytes = Encoding.UTF8.GetMaxByteCount(piece.Length);
        int[]? rented = null;
        var symbols = maxBytes <= 512 ? stackalloc int[512] : (rented = ArrayPool<int>.Shared.Rent(maxBytes));
        var count = ToByteSymbols(piece, symbols);
        count = ApplyMerges(symbols[..count]);
        var ids = symbols[..count];
        sink.AddRange(ids);
        if (cacheable && Volatile.Read(ref cacheCount) < cacheCapacity && cacheBySpan.TryAdd(piece, ids.ToArray()))
        {
            Interlocked.Increment(ref cacheCount);
        }
        if (rented is not null)
        {
            ArrayPool<int>.Shared.Return(rented);
        }
    }

    // UTF-8 bytes of the piece, each mapped to the id of its byte-level symbol.
    private int ToByteSymbols(ReadOnlySpan<char> piece, Span<int> symbols)
    {
        Span<byte> small = stackalloc byte[256];
        byte[]? rented = null;
        var maxBytes = Encoding.UTF8.GetMaxByteCount(piece.Length);
        var bytes = maxBytes <= small.Length ? small : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        var count = Encoding.UTF8.GetBytes(piece, bytes);
        for (var i = 0; i < count; i++)
        {
            symbols[i] = byteToId[bytes[i]];
        }
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        return count;
    }

    // Repeatedly merges the adjacent pair of lowest rank, the leftmost on ties: the order Hugging Face's
    // heap-based Word::merge_all produces. Returns the new symbol count.
    private int ApplyMerges(Span<int> symbols)
    {
        var count = symbols.Length;
        while (count > 1)
        {
            var bestRank = int.MaxValue;
            var bestAt = -1;
            for (var i = 0; i < count - 1; i++)
            {
                if (pairToRank.TryGetValue(PairKey(symbols[i], symbols[i + 1]), out var rank) && rank < bestRank)
                {
                    bestRank = rank;
                    bestAt = i;
                }
            }
            if (bestAt < 0)
            {
                break;
            }
            symbols[bestAt] = mergedIdByRank[bestRank];
            symbols[(bestAt + 2)..count].CopyTo(symbols[(bestAt + 1)..]);
            count--;
        }
        return count;
    }

    private readonly struct ListSink(List<int> ids) : ITokenSink
    {
        public void Add(int id) => ids.Add(id);

        public void AddRange(ReadOnlySpan<int> values) => ids.AddRange(values);
    }

    private struct CountSink : ITokenSink
    {
        public int Count { get; private set; }

        public void Add(int id) => Count++;

        public void AddRange(ReadOnlySpan<int> ids) => Count += ids.Length;
    }
}
