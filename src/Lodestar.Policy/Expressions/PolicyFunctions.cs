// The functions policy expressions may call, as plain static methods the compiler calls directly.
// Text comparisons ignore case (skills and titles come from people); nothing here allocates.
namespace Lodestar.Policy.Expressions;

public static class PolicyFunctions
{
    /// <summary>Fraction of <paramref name="needed"/> present in <paramref name="have"/>; 1 when nothing is needed.</summary>
    public static double Overlap(IReadOnlyList<string> have, IReadOnlyList<string> needed)
    {
        if (needed.Count == 0)
        {
            return 1.0;
        }
        return (needed.Count - Missing(have, needed)) / needed.Count;
    }

    /// <summary>How many items of <paramref name="needed"/> are absent from <paramref name="have"/>.</summary>
    public static double Missing(IReadOnlyList<string> have, IReadOnlyList<string> needed)
    {
        var missing = 0;
        for (var i = 0; i < needed.Count; i++)
        {
            if (!Contains(have, needed[i]))
            {
                missing++;
            }
        }
        return missing;
    }

    /// <summary>|a ∩ b| / |a ∪ b| over distinct items (case-insensitive); 0 when both are empty.</summary>
    public static double Jaccard(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var common = 0;
        var distinctB = 0;
        for (var i = 0; i < b.Count; i++)
        {
            if (IndexOf(b, b[i], i) >= 0)
            {
                continue;
            }
            distinctB++;
            if (Contains(a, b[i]))
            {
                common++;
            }
        }
        var distinctA = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (IndexOf(a, a[i], i) < 0)
            {
                distinctA++;
            }
        }
        var union = distinctA + distinctB - common;
        return union == 0 ? 0.0 : (double)common / union;
    }

    public static double Count(IReadOnlyList<string> items) => items.Count;

    public static bool Contains(IReadOnlyList<string> items, string item) => IndexOf(items, item, items.Count) >= 0;

    public static bool ContainsText(string text, string fragment) => text.Contains(fragment, StringComparison.OrdinalIgnoreCase);

    public static bool TextEquals(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    /// <summary>Fraction of the words of <paramref name="wanted"/> that also occur in <paramref name="have"/>; 1 when <paramref name="wanted"/> has no words.</summary>
    public static double WordOverlap(string have, string wanted)
    {
        var words = 0;
        var found = 0;
        var rest = wanted.AsSpan();
        while (NextWord(ref rest, out var word))
        {
            words++;
            var haystack = have.AsSpan();
            while (NextWord(ref haystack, out var candidate))
            {
                if (candidate.Equals(word, StringComparison.OrdinalIgnoreCase))
                {
                    found++;
                    break;
                }
            }
        }
        return words == 0 ? 1.0 : (double)found / words;
    }

    public static double Clamp(double value, double low, double high) => Math.Min(Math.Max(value, low), high);

    private static int IndexOf(IReadOnlyList<string> items, string item, int before)
    {
        for (var i = 0; i < before; i++)
        {
            if (string.Equals(items[i], item, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    private static bool NextWord(ref ReadOnlySpan<char> text, out ReadOnlySpan<char> word)
    {
        var start = 0;
        while (start < text.Length && !char.IsLetterOrDigit(text[start]))
        {
            start++;
        }
        var end = start;
        while (end < text.Length && char.IsLetterOrDigit(text[end]))
        {
            end++;
        }
        word = text[start..end];
        text = text[end..];
        return !word.IsEmpty;
    }
}
