// Tokens matched in raw text before pre-tokenization (field markers, percentile markers, action tokens,
// item delimiters, [CLS] [SEP] [PAD] [UNK] [MASK]): each always encodes to exactly one id.
using System.Buffers;

namespace Lodestar.Text.Tokenization;

/// <summary>One added token as Hugging Face's tokenizer.json `added_tokens` describes it.</summary>
/// <param name="Id">Its id (the special tokens of a trained Lodestar tokenizer take the first ids).</param>
/// <param name="Content">The exact text it matches: printable ASCII without spaces, so byte-level decoding leaves it as is.</param>
/// <param name="Special">True for control tokens ([CLS], [PAD], ...) that `skip_special_tokens` drops when decoding.</param>
public sealed record AddedToken(int Id, string Content, bool Special)
{
    /// <summary>Throws when the content could not survive a round trip through byte-level decoding.</summary>
    public void Validate()
    {
        if (Id < 0)
        {
            throw new ArgumentException($"added token '{Content}': id {Id} is negative", nameof(Id));
        }
        if (string.IsNullOrEmpty(Content))
        {
            throw new ArgumentException($"added token {Id}: content is empty", nameof(Content));
        }
        foreach (var c in Content)
        {
            if (c <= ' ' || c > '~')
            {
                throw new ArgumentException($"added token {Id} '{Content}': content must be printable ASCII without spaces (found U+{(int)c:X4})", nameof(Content));
            }
        }
    }
}

/// <summary>Leftmost-longest matching of added tokens in text (what Hugging Face's Aho-Corasick split does).</summary>
internal sealed class AddedTokenMatcher
{
    private readonly Dictionary<char, Node> roots = [];
    private readonly SearchValues<char> firstChars;

    public AddedTokenMatcher(IEnumerable<AddedToken> tokens)
    {
        foreach (var token in tokens)
        {
            if (!roots.TryGetValue(token.Content[0], out var node))
            {
                node = new Node();
                roots[token.Content[0]] = node;
            }
            for (var i = 1; i < token.Content.Length; i++)
            {
                node = node.Child(token.Content[i]);
            }
            node.TokenId = token.Id;
        }
        firstChars = SearchValues.Create([.. roots.Keys.Order()]);
    }

    /// <summary>Finds the first added token in <paramref name="text"/>; false when there is none.</summary>
    public bool FindNext(ReadOnlySpan<char> text, out int start, out int length, out int tokenId)
    {
        var offset = 0;
        while (offset < text.Length)
        {
            var found = text[offset..].IndexOfAny(firstChars);
            if (found < 0)
            {
                break;
            }
            start = offset + found;
            if (LongestAt(text, start, out length, out tokenId))
            {
                return true;
            }
            offset = start + 1;
        }
        start = length = tokenId = 0;
        return false;
    }

    private bool LongestAt(ReadOnlySpan<char> text, int start, out int length, out int tokenId)
    {
        length = 0;
        tokenId = -1;
        var node = roots[text[start]];
        var i = start + 1;
        while (true)
        {
            if (node.TokenId >= 0)
            {
                length = i - start;
                tokenId = node.TokenId;
            }
            if (i >= text.Length || node.Children is null || !node.Children.TryGetValue(text[i], out var child))
            {
                break;
            }
            node = child;
            i++;
        }
        return tokenId >= 0;
    }

    private sealed class Node
    {
        public Dictionary<char, Node>? Children { get; private set; }

        public int TokenId { get; set; } = -1;

        public Node Child(char c)
        {
            Children ??= [];
            if (!Children.TryGetValue(c, out var child))
            {
                child = new Node();
                Children[c] = child;
            }
            return child;
        }
    }
}
