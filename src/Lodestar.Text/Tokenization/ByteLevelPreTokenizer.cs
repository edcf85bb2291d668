// GPT-2's pre-tokenizer, hand-written: splits text exactly as the regex
// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ does, without a regex engine.
using System.Buffers;
using System.Globalization;
using System.Text;

namespace Lodestar.Text.Tokenization;

/// <summary>The character classes the GPT-2 pattern distinguishes.</summary>
public enum PreTokenClass : byte
{
    /// <summary>\p{L}: Lu, Ll, Lt, Lm, Lo.</summary>
    Letter,

    /// <summary>\p{N}: Nd, Nl, No.</summary>
    Number,

    /// <summary>\s: the Unicode White_Space property (what Oniguruma, used by Hugging Face tokenizers, matches).</summary>
    Space,

    /// <summary>Everything else (punctuation, symbols, emoji, controls).</summary>
    Other,
}

public static class ByteLevelPreTokenizer
{
    private static readonly PreTokenClass[] AsciiClasses = BuildAsciiClasses();

    /// <summary>
    /// The length in UTF-16 units of the next pre-token of <paramref name="text"/> (which must be non-empty);
    /// calling it repeatedly on the remainder walks the same matches as the regex's left-to-right scan.
    /// </summary>
    public static int NextLength(ReadOnlySpan<char> text)
    {
        var first = ClassAt(text, 0, out var firstWidth);
        if (text[0] == '\'' && text.Length > 1)
        {
            var contraction = ContractionLength(text);
            if (contraction > 0)
            {
                return contraction;
            }
        }
        if (text[0] == ' ' && text.Length > 1)
        {
            var next = ClassAt(text, 1, out _);
            if (next != PreTokenClass.Space)
            {
                return 1 + RunLength(text[1..], next);
            }
        }
        if (first != PreTokenClass.Space)
        {
            return RunLength(text, first);
        }
        // \s+(?!\S): a whitespace run that reaches the end, or the run minus its last character when a
        // non-space follows (the backtracking leaves that character to start the next match); a single
        // whitespace before a non-space falls through to the final \s+.
        var run = RunLength(text, PreTokenClass.Space);
        if (run == text.Length)
        {
            return run;
        }
        var lastWidth = char.IsLowSurrogate(text[run - 1]) ? 2 : 1;
        return run > lastWidth ? run - lastWidth : firstWidth;
    }

    /// <summary>Splits <paramref name="text"/> into its pre-tokens (allocates; the encoder uses <see cref="NextLength"/>).</summary>
    public static List<string> Split(string text)
    {
        var pieces = new List<string>();
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            var length = NextLength(rest);
            pieces.Add(rest[..length].ToString());
            rest = rest[length..];
        }
        return pieces;
    }

    /// <summary>The class of the code point starting at <paramref name="index"/>; <paramref name="width"/> is 1 or 2 UTF-16 units.</summary>
    public static PreTokenClass ClassAt(ReadOnlySpan<char> text, int index, out int width)
    {
        var c = text[index];
        if (c < 128)
        {
            width = 1;
            return AsciiClasses[c];
        }
        if (Rune.DecodeFromUtf16(text[index..], out var rune, out width) != OperationStatus.Done)
        {
            width = 1;
            return PreTokenClass.Other;
        }
        return Classify(rune);
    }

    private static PreTokenClass Classify(Rune rune)
    {
        if (Rune.IsWhiteSpace(rune))
        {
            return PreTokenClass.Space;
        }
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => PreTokenClass.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => PreTokenClass.Number,
            _ => PreTokenClass.Other,
        };
    }

    private static int RunLength(ReadOnlySpan<char> text, PreTokenClass kind)
    {
        var i = 0;
        while (i < text.Length && ClassAt(text, i, out var width) == kind)
        {
            i += width;
        }
        return i;
    }

    // 's 't 'm 'd (two characters) and 're 've 'll (three), lower case only, as in the pattern.
    private static int ContractionLength(ReadOnlySpan<char> text)
    {
        var c1 = text[1];
        if (c1 is 's' or 't' or 'm' or 'd')
        {
            return 2;
        }
        if (text.Length > 2)
        {
            var c2 = text[2];
            if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l'))
            {
                return 3;
            }
        }
        return 0;
    }

    private static PreTokenClass[] BuildAsciiClasses()
    {
        var table = new PreTokenClass[128];
        for (var c = 0; c < 128; c++)
        {
            table[c] = Classify(new Rune(c));
        }
        return table;
    }
}
