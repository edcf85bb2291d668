// Attributes no Lodestar model may read: protected characteristics under common anti-discrimination law
// (US Title VII/ADEA/ADA, EU Directive 2000/78/EC) and LinkedIn's stated rule that ranking never uses
// demographic attributes. Prompt templates are checked against it; the policy layer reuses it.
using System.Text;

namespace Lodestar.Text;

public static class ForbiddenAttributes
{
    /// <summary>The default list, as words joined by underscores; matched word by word (see <see cref="FindIn"/>).</summary>
    public static IReadOnlyList<string> Default { get; } =
    [
        "age", "date_of_birth", "birth_date", "birthday", "birth_year", "year_of_birth",
        "gender", "sex", "gender_identity",
        "ethnicity", "ethnic_origin", "race", "racial", "skin_colour", "skin_color",
        "religion", "religious", "belief", "faith", "caste",
        "disability", "disabled", "handicap", "medical_condition", "health", "genetic", "genetic_information",
        "marital_status", "married", "spouse", "family_status", "children", "pregnancy", "pregnant", "maternity",
        "sexual_orientation",
        "national_origin", "nationality", "citizenship", "ancestry", "immigration_status",
        "veteran_status", "military_status", "political_affiliation", "political_opinion", "union_membership",
        "photo", "first_name", "last_name", "surname", "full_name",
    ];

    /// <summary>
    /// The forbidden term found in <paramref name="attribute"/> (a field name or a dotted source path such as
    /// "member.gender_identity" or "dateOfBirth"), or null. Both are split into lower-case words at
    /// '.', '_', '-', spaces and camelCase humps; a term matches when its words appear consecutively, so
    /// "age" matches "member.age_years" but not "language" or "page_views".
    /// </summary>
    public static string? FindIn(string attribute, IReadOnlyList<string>? forbidden = null)
    {
        var words = Words(attribute);
        foreach (var term in forbidden ?? Default)
        {
            var termWords = Words(term);
            for (var start = 0; start + termWords.Count <= words.Count; start++)
            {
                if (words.Skip(start).Take(termWords.Count).SequenceEqual(termWords, StringComparer.Ordinal))
                {
                    return term;
                }
            }
        }
        return null;
    }

    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsLetterOrDigit(c))
            {
                Flush(words, current);
                continue;
            }
            if (char.IsUpper(c) && i > 0 && char.IsLower(text[i - 1]))
            {
                Flush(words, current);
            }
            current.Append(char.ToLowerInvariant(c));
        }
        Flush(words, current);
        return words;
    }

    private static void Flush(List<string> words, StringBuilder current)
    {
        if (current.Length > 0)
        {
            words.Add(current.ToString());
            current.Clear();
        }
    }
}
