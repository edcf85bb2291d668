// Writes one field value as text inside a token budget: free text cut at a token boundary, lists cut at
// whole items, categories, recency phrases, percentile buckets and raw numbers.
using System.Globalization;
using System.Text;
using Lodestar.Text.Tokenization;

namespace Lodestar.Text.Prompts;

public sealed class FieldFormatter(IPromptTokenizer tokenizer)
{
    /// <summary>The body of a field (no markers) in at most <paramref name="maxTokens"/> tokens; truncated says whether it was cut.</summary>
    public string Format(FieldSpec field, PromptValue value, int maxTokens, int nowDay, PercentileTable? percentiles, out bool truncated)
    {
        truncated = false;
        if (maxTokens <= 0)
        {
            truncated = true;
            return "";
        }
        var text = field.Format switch
        {
            FieldFormat.Text or FieldFormat.Category => Collapse(value.Text ?? ""),
            FieldFormat.List => FitList(value.Items ?? [], maxTokens, out truncated),
            FieldFormat.Recency => Recency(nowDay - value.Day),
            FieldFormat.Percentile => PercentileOf(field, value, percentiles).ToString(CultureInfo.InvariantCulture),
            FieldFormat.Number => value.Number.ToString("0.####", CultureInfo.InvariantCulture),
            _ => throw new ArgumentOutOfRangeException(nameof(field), field.Format, null),
        };
        var fitted = FitText(text, maxTokens);
        truncated |= fitted.Length != text.Length;
        return fitted;
    }

    /// <summary>The longest prefix of <paramref name="text"/> that fits <paramref name="maxTokens"/> tokens, never ending mid-character.</summary>
    public string FitText(string text, int maxTokens) => tokenizer.Prefix(text, maxTokens);

    /// <summary>Days since an event as a phrase: "today", "1 day ago", "3 weeks ago", "2 years ago".</summary>
    public static string Recency(int days) => days switch
    {
        <= 0 => "today",
        1 => "1 day ago",
        < 14 => $"{days} days ago",
        < 60 => $"{days / 7} weeks ago",
        < 730 => $"{days / 30} months ago",
        _ => $"{days / 365} years ago",
    };

    private static int PercentileOf(FieldSpec field, PromptValue value, PercentileTable? percentiles)
    {
        if (percentiles is null || !percentiles.ByField.TryGetValue(field.Name, out var distribution))
        {
            throw new InvalidOperationException($"field '{field.Name}' has no fitted percentile distribution; fit one with `lodestar prompt fit`");
        }
        return distribution.Bucket(value.Number);
    }

    // Whole items in order, joined by ", ", while they fit; the first item is cut as text if even it does not.
    private string FitList(IReadOnlyList<string> items, int maxTokens, out bool truncated)
    {
        var joined = new StringBuilder();
        for (var i = 0; i < items.Count; i++)
        {
            var item = Collapse(items[i]);
            var candidate = joined.Length == 0 ? item : joined + ", " + item;
            if (tokenizer.CountTokens(candidate) > maxTokens)
            {
                truncated = true;
                return joined.Length == 0 ? FitText(item, maxTokens) : joined.ToString();
            }
            joined.Clear().Append(candidate);
        }
        truncated = false;
        return joined.ToString();
    }

    /// <summary>
    /// Whitespace collapsed, and any reserved text inside the value ("&lt;skills&gt;", "[CLS]") neutralised by the
    /// tokenizer so data can never inject a marker or control token into the prompt.
    /// </summary>
    public string Collapse(string text) =>
        tokenizer.Neutralize(string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
}
