// The added tokens a tokenizer needs for a prompt library: Lodestar's control tokens, delimiters and
// actions, then the markers of every template field, so each marker (and so each bucket's frame) is one token.
using Lodestar.Text.Tokenization;

namespace Lodestar.Text.Prompts;

public static class PromptVocabulary
{
    /// <summary>Added tokens in a stable order: <see cref="SpecialTokens.Default"/>, then field markers by template and field order.</summary>
    public static IReadOnlyList<string> AddedTokens(PromptLibrary library)
    {
        var tokens = new List<string>(SpecialTokens.Default);
        var seen = new HashSet<string>(tokens, StringComparer.Ordinal);
        foreach (var entry in library.Entries)
        {
            foreach (var field in entry.Template.Fields)
            {
                var (open, close) = SpecialTokens.FieldMarkers(field.Name);
                if (seen.Add(open))
                {
                    tokens.Add(open);
                }
                if (seen.Add(close))
                {
                    tokens.Add(close);
                }
            }
        }
        return tokens;
    }
}
