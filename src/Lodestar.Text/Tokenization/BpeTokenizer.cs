// Byte-level BPE encoder/decoder compatible with Hugging Face `tokenizers` (model BPE, ByteLevel
// pre-tokenizer and decoder): same splits, same merge order, same ids; added tokens are matched first.
using System.Buffers;
using System.Collections.Concurrent;
using System.Text;

namespace Lodestar.Text.Tokenization;

public sealed partial class BpeTokenizer : IPromptTokenizer
{
    // Pre-tokens longer than this are encoded but not cached (Hugging Face's JS port uses 256 too).
    private const int MaxCachedPieceLength = 256;

    private readonly string[] idToToken;
    private readonly Dictionary<string, int> tokenToId;
    private readonly Dictionary<long, int> pairToRank;
    private readonly int[] mergedIdByRank;
    private readonly (int Left, int Right)[] merges;
    private readonly int[] byteToId = new int[256];
    private readonly AddedToken[] addedTokens;
    private readonly AddedToken?[] addedById;
    private readonly AddedTokenMatcher matcher;
    private readonly ConcurrentDictionary<string, int[]> cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> cacheBySpan;
    private readonly int cacheCapacity;
    private int cacheCount;

    /// <summary>
    /// Builds a tokenizer from a model vocabulary (index = id), merges by rank (pairs of ids whose
    /// concatenation must be in the vocabulary) and added tokens. Throws naming the first bad entry.
    /// </summary>
    /// <param name="cacheCapacity">Most pre-tokens whose ids are remembered (a bounded word cache; 0 turns it off).</param>
    public BpeTokenizer(IReadOnlyList<string> vocab, IReadOnlyList<(int Left, int Right)> merges, IReadOnlyList<AddedToken> addedTokens, int cacheCapacity = 1 << 17)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cacheCapacity);
        this.cacheCapacity = cacheCapacity;
        ModelVocabSize = vocab.Count;
        tokenToId = new Dictionary<string, int>(vocab.Count, StringComparer.Ordinal);
        for (var id = 0; id < vocab.Count; id++)
        {
            if (!tokenToId.TryAdd(vocab[id], id))
            {
                throw new ArgumentException($"vocab: token '{vocab[id]}' appears twice (ids {tokenToId[vocab[id]]} and {id})", nameof(vocab));
            }
        }
        for (var b = 0; b < 256; b++)
        {
            var symbol = ByteLevelAlphabet.ByteToChar((byte)b).ToString();
            if (!tokenToId.TryGetValue(symbol, out byteToId[b]))
            {
                throw new ArgumentException($"vocab: the byte-level symbol for byte 0x{b:X2} ('{symbol}') is missing; a byte-level BPE vocabulary holds all 256", nameof(vocab));
            }
        }

        this.merges = [.. merges];
        pairToRank = new Dictionary<long, int>(merges.Count);
        mergedIdByRank = new int[merges.Count];
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            if ((uint)left >= (uint)vocab.Count || (uint)right >= (uint)vocab.Count)
            {
                throw new ArgumentException($"merges[{rank}]: id ({left}, {right}) is outside the vocabulary of {vocab.Count}", nameof(merges));
            }
            var merged = vocab[left] + vocab[right];
            if (!tokenToId.TryGetValue(merged, out mergedIdByRank[rank]))
            {
                throw new ArgumentException($"merges[{rank}]: '{vocab[left]}' + '{vocab[right]}' = '{merged}' is not in the vocabulary", nameof(merges));
            }
            pairToRank.TryAdd(PairKey(left, right), rank);
        }

        var size = vocab.Count;
        foreach (var token in addedTokens)
        {
            token.Validate();
            if (tokenToId.TryGetValue(token.Content, out var existing) && existing != token.Id)
            {
                throw new ArgumentException($"added token '{token.Content}': id {token.Id} differs from its vocabulary id {existing}", nameof(addedTokens));
            }
            if (token.Id < vocab.Count && vocab[token.Id] != token.Content)
            {
                throw new ArgumentException($"added token '{token.Content}': id {token.Id} already belongs to '{vocab[token.Id]}'", nameof(addedTokens));
            }
            size = Math.Max(size, token.Id + 1);
        }
        idToToken = new string[size];
        for (var id = 0; id < vocab.Count; id++)
        {
            idToToken[id] = vocab[id];
        }
        addedById = new AddedToken?[size];
        foreach (var token in addedTokens)
        {
            if (addedById[token.Id] is not null)
            {
                throw new ArgumentException($"added token '{token.Content}': id {token.Id} is used twice", nameof(addedTokens));
            }
            addedById[token.Id] = token;
            idToToken[token.Id] = token.Content;
            tokenToId.TryAdd(token.Content, token.Id);
        }
        for (var id = 0; id < size; id++)
        {
            if (idToToken[id] is null)
            {
                throw new ArgumentException($"ids: id {id} is neither in the vocabulary nor an added token (ids must be contiguous)", nameof(addedTokens));
            }
        }
        this.addedTokens = [.. addedTokens.OrderBy(t => t.Id)];
        matcher = new AddedTokenMatcher(this.addedTokens);
        cacheBySpan = cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Number of ids (model vocabulary plus added tokens that are not in it).</summary>
    public int VocabSize => idToToken.Length;

    /// <summary>Size of the BPE model's own vocabulary (ids 0 .. ModelVocabSize-1 may include added tokens).</summary>
    public int ModelVocabSize { get; }

    /// <summary>The merges by rank, as pairs of ids.</summary>
    public IReadOnlyList<(int Left, int Right)> Merges => merges;

    /// <summary>The added tokens, by id.</summary>
    public IReadOnlyList<AddedToken> AddedTokens => addedTokens;

    /// <summary>The token string of an id (byte-level characters for model tokens, raw text for added tokens).</summary>
    public string IdToToken(int id) => idToToken[id];

    /// <summary>The id of a token string, or null.</summary>
    public int? TokenToId(string token) => tokenToId.TryGetValue(token, out var id) ? id : null;

    /// <summary>The added token with this content, or null.</summary>
    public AddedToken? FindAddedToken(string content) =>
        tokenToId.TryGetValue(content, out var id) && addedById[id] is { } token ? token : null;

    /// <summary>The same tokenizer with a different word-cache capacity (0: no cache, for cold-speed measurements).</summary>
    public BpeTokenizer WithCacheCapacity(int capacity) =>
        new([.. Enumerable.Range(0, ModelVocabSize).Select(IdToToken)], merges, addedTokens, capacity);

    /// <summary>Encodes <paramref name="text"/> and returns its ids.</summary>
    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        Encode(text, ids);
        return [.. ids];
    }

    /// <summary>Appends the ids of <paramref name="text"/> to <paramref name="ids"/> (no allocation once words are cached).</summary>
    public void Encode(ReadOnlySpan<char> text, List<int> ids)
    {
        var sink = new ListSink(ids);
        EncodeCore(text, ref sink);
    }

    /// <summary>Number of tokens <paramref name="text"/> encodes to.</summary>
    public int CountTokens(ReadOnlySpan<char> text)
    {
        var sink = new CountSink();
        EncodeCore(text, ref sink);
        return sink.Count;
    }

    /// <summary>Byte-level BPE prompts need no frame: the content ids as they are.</summary>
    public int[] Frame(ReadOnlySpan<int> content) => content.ToArray();

    /// <summary>The longest token prefix of <paramref name="text"/> that re-encodes to at most <paramref name="maxTokens"/> tokens, never ending mid-character.</summary>
    public string Prefix(string text, int maxTokens)
    {
        if (maxTokens <= 0)
        {
            return "";
        }
        var ids = Encode(text);
        if (ids.Length <= maxTokens)
        {
            return text;
        }
        for (var keep = maxTokens; keep > 0; keep--)
        {
            var prefix = Decode(ids.AsSpan(0, keep)).TrimEnd('\uFFFD').TrimEnd();
            if (CountTokens(prefix) <= maxTokens)
            {
                return prefix;
            }
        }
        return "";
    }

    /// <summary>Every added token's text inside <paramref name="text"/> broken by a word joiner (U+2060), which byte-level BPE keeps as bytes.</summary>
    public string Neutralize(string text)
    {
        foreach (var token in addedTokens)
        {
            if (text.Contains(token.Content, StringComparison.Ordinal))
            {
                text = text.Replace(token.Content, token.Content[..1] + "\u2060" + token.Content[1..], StringComparison.Ordinal);
            }
        }
        return text;
    }

    /// <summary>Decodes ids back to text; invalid UTF-8 (a sequence cut mid-character) becomes U+FFFD.</summary>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        var text = new StringBuilder();
        var bytes = new ArrayBufferWriter<byte>(ids.Length * 4 + 16);
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)idToToken.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), $"id {id} is outside the vocabulary of {idToToken.Length}");
            }
            if (addedById[id] is { } added)
            {
                if (skipSpecialTokens && added.Special)
                {
                    continue;
                }
                FlushBytes(bytes, text);
                text.Append(added.Content);
                continue;
            }
            var token = idToToken[id];
            var span = bytes.GetSpan(token.Length);
            for (var i = 0; i < token.Length; i++)
            {
                if (!ByteLevelAlphabet.TryCharToByte(token[i], out span[i]))
                {
                    throw new InvalidOperationException($"vocab token {id} '{token}' holds a character that is not a byte-level symbol");
                }
            }
            bytes.Advance(token.Length);
        }
        FlushBytes(bytes, text);
        return text.ToString();
    }

    private static void FlushBytes(ArrayBufferWriter<byte> bytes, StringBuilder text)
    {
        if (bytes.WrittenCount > 0)
        {
            text.Append(Encoding.UTF8.GetString(bytes.WrittenSpan));
            bytes.ResetWrittenCount();
        }
    }

    private static long PairKey(int left, int right) => ((long)left << 32) | (uint)right;
}
