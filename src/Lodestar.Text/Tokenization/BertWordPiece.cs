// WordPiece tokenization as the Hugging Face uncased BERT tokenizer does it (the vocabulary of MiniLM,
// snowflake-arctic-embed and BERT itself), on Microsoft.ML.Tokenizers' BertTokenizer. Accents are stripped as
// BERT's basic tokenizer strips them: the package's default keeps them and turns "naïve café" into [UNK] [UNK].
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Lodestar.Text.Tokenization;

public sealed partial class BertWordPiece : IPromptTokenizer
{
    private readonly BertTokenizer _tokenizer;

    private BertWordPiece(BertTokenizer tokenizer, int vocabSize)
    {
        _tokenizer = tokenizer;
        VocabSize = vocabSize;
    }

    /// <summary>A tokenizer over a vocab.txt (one token per line, its id the line number; CRLF or LF).</summary>
    public static BertWordPiece Load(Stream vocabulary, bool lowerCase = true)
    {
        using var copy = new MemoryStream();
        vocabulary.CopyTo(copy);
        var bytes = copy.GetBuffer().AsSpan(0, (int)copy.Length);
        // Lines, the last one counted even without a final line end.
        var lines = bytes.Count((byte)'\n') + (bytes.Length > 0 && bytes[^1] != (byte)'\n' ? 1 : 0);
        copy.Position = 0;
        return new(BertTokenizer.Create(copy, new BertOptions { LowerCaseBeforeTokenization = lowerCase, RemoveNonSpacingMarks = true }), lines);
    }

    public static BertWordPiece Load(string vocabularyPath, bool lowerCase = true)
    {
        using var stream = File.OpenRead(vocabularyPath);
        return Load(stream, lowerCase);
    }

    /// <summary>Entries of the vocabulary (bert-base-uncased: 30,522).</summary>
    public int VocabSize { get; }

    public int ClassificationId => _tokenizer.ClassificationTokenId;

    public int SeparatorId => _tokenizer.SeparatorTokenId;

    public int PaddingId => _tokenizer.PaddingTokenId;

    public int UnknownId => _tokenizer.UnknownTokenId;

    /// <summary>The WordPiece ids of <paramref name="text"/> without the [CLS] … [SEP] frame: the ids a prompt's text contributes.</summary>
    public int[] Encode(string text) =>
        [.. _tokenizer.EncodeToIds(StripAccents(text), addSpecialTokens: false, considerPreTokenization: true, considerNormalization: true)];

    public int CountTokens(ReadOnlySpan<char> text) => Encode(text.ToString()).Length;

    /// <summary>[CLS] text [SEP] as ids, cut to <paramref name="maxTokens"/> with [SEP] kept last: the input of a BERT encoder.</summary>
    public int[] EncodeInput(string text, int maxTokens = 512) => Frame(Encode(text), maxTokens);

    /// <summary>[CLS] <paramref name="content"/> [SEP], as BERT-family encoders were trained to read a text.</summary>
    public int[] Frame(ReadOnlySpan<int> content) => Frame(content, content.Length + 2);

    /// <summary>[CLS] <paramref name="content"/> [SEP], the content cut so the whole fits <paramref name="maxTokens"/>.</summary>
    public int[] Frame(ReadOnlySpan<int> content, int maxTokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 2);
        var kept = Math.Min(content.Length, maxTokens - 2);
        var ids = new int[kept + 2];
        ids[0] = ClassificationId;
        content[..kept].CopyTo(ids.AsSpan(1));
        ids[^1] = SeparatorId;
        return ids;
    }

    /// <summary>
    /// The longest prefix of <paramref name="text"/> ending at a word or punctuation boundary that fits
    /// <paramref name="maxTokens"/>. WordPiece splits each word on its own, so the ids of such a prefix are a
    /// prefix of the text's ids and their count grows with the cut: a binary search over the boundaries finds it.
    /// </summary>
    public string Prefix(string text, int maxTokens)
    {
        if (maxTokens <= 0)
        {
            return "";
        }
        if (CountTokens(text) <= maxTokens)
        {
            return text;
        }
        var cuts = new List<int>();
        for (var i = 1; i < text.Length; i++)
        {
            if (!char.IsWhiteSpace(text[i - 1]) && (char.IsWhiteSpace(text[i]) || IsPunctuation(text[i]) || IsPunctuation(text[i - 1])))
            {
                cuts.Add(i);
            }
        }
        var (low, high, best) = (0, cuts.Count - 1, "");
        while (low <= high)
        {
            var middle = (low + high) / 2;
            var prefix = text[..cuts[middle]];
            if (CountTokens(prefix) <= maxTokens)
            {
                best = prefix;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return best;
    }

    /// <summary>
    /// Prompt markers are plain text to WordPiece ("&lt;skills&gt;" is "&lt;", "skills", "&gt;"), so data that spells one, or a
    /// control token such as "[SEP]", has its brackets turned into parentheses: "(skills)", "(SEP)".
    /// </summary>
    public string Neutralize(string text) =>
        text.Contains('<') || text.Contains('[') ? ReservedText().Replace(text, m => "(" + m.Groups[1].Value + m.Groups[2].Value + ")") : text;

    [GeneratedRegex(@"<(/?[A-Za-z_][A-Za-z0-9_]*)>|\[(PAD|UNK|CLS|SEP|MASK)\]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReservedText();

    // BERT's basic tokenizer splits on ASCII symbols as well as Unicode punctuation.
    private static bool IsPunctuation(char c) =>
        c is >= '!' and <= '/' or >= ':' and <= '@' or >= '[' and <= '`' or >= '{' and <= '~' || char.IsPunctuation(c);

    /// <summary>Token ids (B·T) and keep flags (B·T) of several texts, padded with [PAD] to the longest T.</summary>
    public (int[] Tokens, byte[] Keep, int Length) EncodeBatch(IReadOnlyList<string> texts, int maxTokens = 512)
    {
        var encoded = texts.Select(t => EncodeInput(t, maxTokens)).ToArray();
        var length = encoded.Max(e => e.Length);
        var tokens = new int[encoded.Length * length];
        var keep = new byte[tokens.Length];
        for (var b = 0; b < encoded.Length; b++)
        {
            tokens.AsSpan(b * length, length).Fill(PaddingId);
            encoded[b].CopyTo(tokens.AsSpan(b * length));
            keep.AsSpan(b * length, encoded[b].Length).Fill(1);
        }
        return (tokens, keep, length);
    }

    // The letters of Latin-1 Supplement and Latin Extended-A/B whose canonical decomposition (NFD) is an ASCII
    // letter followed by combining marks, and that letter (made with Python: unicodedata.normalize("NFD", c)[0]).
    private const string Accented = "\u00C0\u00C1\u00C2\u00C3\u00C4\u00C5\u00C7\u00C8\u00C9\u00CA\u00CB\u00CC\u00CD\u00CE\u00CF\u00D1\u00D2\u00D3\u00D4\u00D5\u00D6\u00D9\u00DA\u00DB\u00DC\u00DD\u00E0\u00E1\u00E2\u00E3\u00E4\u00E5\u00E7\u00E8\u00E9\u00EA\u00EB\u00EC\u00ED\u00EE\u00EF\u00F1\u00F2\u00F3\u00F4\u00F5\u00F6\u00F9\u00FA\u00FB\u00FC\u00FD\u00FF\u0100\u0101\u0102\u0103\u0104\u0105\u0106\u0107\u0108\u0109\u010A\u010B\u010C\u010D\u010E\u010F\u0112\u0113\u0114\u0115\u0116\u0117\u0118\u0119\u011A\u011B\u011C\u011D\u011E\u011F\u0120\u0121\u0122\u0123\u0124\u0125\u0128\u0129\u012A\u012B\u012C\u012D\u012E\u012F\u0130\u0134\u0135\u0136\u0137\u0139\u013A\u013B\u013C\u013D\u013E\u0143\u0144\u0145\u0146\u0147\u0148\u014C\u014D\u014E\u014F\u0150\u0151\u0154\u0155\u0156\u0157\u0158\u0159\u015A\u015B\u015C\u015D\u015E\u015F\u0160\u0161\u0162\u0163\u0164\u0165\u0168\u0169\u016A\u016B\u016C\u016D\u016E\u016F\u0170\u0171\u0172\u0173\u0174\u0175\u0176\u0177\u0178\u0179\u017A\u017B\u017C\u017D\u017E\u01A0\u01A1\u01AF\u01B0\u01CD\u01CE\u01CF\u01D0\u01D1\u01D2\u01D3\u01D4\u01D5\u01D6\u01D7\u01D8\u01D9\u01DA\u01DB\u01DC\u01DE\u01DF\u01E0\u01E1\u01E2\u01E3\u01E6\u01E7\u01E8\u01E9\u01EA\u01EB\u01EC\u01ED\u01EE\u01EF\u01F0\u01F4\u01F5\u01F8\u01F9\u01FA\u01FB\u01FC\u01FD\u01FE\u01FF\u0200\u0201\u0202\u0203\u0204\u0205\u0206\u0207\u0208\u0209\u020A\u020B\u020C\u020D\u020E\u020F\u0210\u0211\u0212\u0213\u0214\u0215\u0216\u0217\u0218\u0219\u021A\u021B\u021E\u021F\u0226\u0227\u0228\u0229\u022A\u022B\u022C\u022D\u022E\u022F\u0230\u0231\u0232\u0233";
    private const string Unaccented = "\u0041\u0041\u0041\u0041\u0041\u0041\u0043\u0045\u0045\u0045\u0045\u0049\u0049\u0049\u0049\u004E\u004F\u004F\u004F\u004F\u004F\u0055\u0055\u0055\u0055\u0059\u0061\u0061\u0061\u0061\u0061\u0061\u0063\u0065\u0065\u0065\u0065\u0069\u0069\u0069\u0069\u006E\u006F\u006F\u006F\u006F\u006F\u0075\u0075\u0075\u0075\u0079\u0079\u0041\u0061\u0041\u0061\u0041\u0061\u0043\u0063\u0043\u0063\u0043\u0063\u0043\u0063\u0044\u0064\u0045\u0065\u0045\u0065\u0045\u0065\u0045\u0065\u0045\u0065\u0047\u0067\u0047\u0067\u0047\u0067\u0047\u0067\u0048\u0068\u0049\u0069\u0049\u0069\u0049\u0069\u0049\u0069\u0049\u004A\u006A\u004B\u006B\u004C\u006C\u004C\u006C\u004C\u006C\u004E\u006E\u004E\u006E\u004E\u006E\u004F\u006F\u004F\u006F\u004F\u006F\u0052\u0072\u0052\u0072\u0052\u0072\u0053\u0073\u0053\u0073\u0053\u0073\u0053\u0073\u0054\u0074\u0054\u0074\u0055\u0075\u0055\u0075\u0055\u0075\u0055\u0075\u0055\u0075\u0055\u0075\u0057\u0077\u0059\u0079\u0059\u005A\u007A\u005A\u007A\u005A\u007A\u004F\u006F\u0055\u0075\u0041\u0061\u0049\u0069\u004F\u006F\u0055\u0075\u0055\u0075\u0055\u0075\u0055\u0075\u0055\u0075\u0041\u0061\u0041\u0061\u00C6\u00E6\u0047\u0067\u004B\u006B\u004F\u006F\u004F\u006F\u01B7\u0292\u006A\u0047\u0067\u004E\u006E\u0041\u0061\u00C6\u00E6\u00D8\u00F8\u0041\u0061\u0041\u0061\u0045\u0065\u0045\u0065\u0049\u0069\u0049\u0069\u004F\u006F\u004F\u006F\u0052\u0072\u0052\u0072\u0055\u0075\u0055\u0075\u0053\u0073\u0054\u0074\u0048\u0068\u0041\u0061\u0045\u0065\u004F\u006F\u004F\u006F\u004F\u006F\u004F\u006F\u0059\u0079";

    /// <summary>
    /// BERT's basic tokenizer decomposes text (NFD) and drops the combining marks. Lodestar runs with invariant
    /// globalization, where string.Normalize leaves precomposed letters whole (so "ï" would be unknown), so the
    /// Latin letters are folded from a table and any combining mark left is dropped.
    /// </summary>
    internal static string StripAccents(string text)
    {
        var builder = new System.Text.StringBuilder(text.Length);
        foreach (var c in text.Normalize(System.Text.NormalizationForm.FormD))
        {
            if (char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            var i = Accented.IndexOf(c, StringComparison.Ordinal);
            builder.Append(i >= 0 ? Unaccented[i] : c);
        }
        return builder.ToString();
    }
}
