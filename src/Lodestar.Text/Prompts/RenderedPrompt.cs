// What a rendered prompt reports: the exact text a model sees, its token count against the budget, and
// per field the tokens spent and whether the field was cut or dropped to fit.
namespace Lodestar.Text.Prompts;

/// <param name="Name">Field name (or "history").</param>
/// <param name="Text">The field as written, markers included; empty when absent or dropped.</param>
/// <param name="Tokens">Tokens of <paramref name="Text"/>.</param>
/// <param name="Truncated">True when the value was cut to fit a budget.</param>
/// <param name="Dropped">True when the field had a value but no room was left for it.</param>
public sealed record FieldReport(string Name, string Text, int Tokens, bool Truncated, bool Dropped);

/// <param name="Template">Template name.</param>
/// <param name="Subject">What was rendered ("member 42").</param>
/// <param name="Text">The whole prompt.</param>
/// <param name="Tokens">Tokens of the whole prompt; never above <paramref name="Budget"/>.</param>
/// <param name="Budget">The template's budget.</param>
/// <param name="Fields">One report per field, in template order, then the history section.</param>
/// <param name="HistoryItemsShown">History items in the prompt.</param>
/// <param name="HistoryItemsAvailable">History items the mode allowed before budgets cut the oldest.</param>
public sealed record RenderedPrompt(
    string Template,
    string Subject,
    string Text,
    int Tokens,
    int Budget,
    IReadOnlyList<FieldReport> Fields,
    int HistoryItemsShown,
    int HistoryItemsAvailable)
{
    /// <summary>Whether the budgets cut anything: a field truncated or dropped, or history items left out.</summary>
    public bool WasCut => HistoryItemsShown < HistoryItemsAvailable || Fields.Any(f => f.Truncated || f.Dropped);
}
