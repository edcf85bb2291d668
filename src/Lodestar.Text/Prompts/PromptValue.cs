// The values a template field can read, and the subject a prompt is rendered for: its attributes by
// source name ("member.skills") and, for histories, the member's engagements in time order.
namespace Lodestar.Text.Prompts;

/// <summary>The type of an attribute, which decides the formats it may use.</summary>
public enum AttributeType
{
    Text,
    List,
    Category,
    Day,
    Number,
}

/// <summary>One attribute value; exactly the member matching <see cref="Type"/> is meaningful.</summary>
public sealed record PromptValue(AttributeType Type, string? Text = null, IReadOnlyList<string>? Items = null, double Number = 0, int Day = 0)
{
    public static PromptValue OfText(string text) => new(AttributeType.Text, Text: text);

    public static PromptValue OfCategory(string category) => new(AttributeType.Category, Text: category);

    public static PromptValue OfList(IReadOnlyList<string> items) => new(AttributeType.List, Items: items);

    public static PromptValue OfDay(int day) => new(AttributeType.Day, Day: day);

    public static PromptValue OfNumber(double number) => new(AttributeType.Number, Number: number);

    /// <summary>True when there is nothing to write (the field is then left out).</summary>
    public bool IsEmpty => Type switch
    {
        AttributeType.Text or AttributeType.Category => string.IsNullOrWhiteSpace(Text),
        AttributeType.List => Items is null || Items.Count == 0,
        _ => false,
    };
}

/// <summary>One engagement in a member's history: the post shown, when, and what the member did.</summary>
/// <param name="Time">Unix seconds; ties are broken by <paramref name="ImpressionId"/>.</param>
/// <param name="Actions">Action tokens in a fixed order (&lt;click&gt;, &lt;long_dwell&gt;, ...); empty when the member did nothing.</param>
/// <param name="Skipped">True when the member scrolled past quickly.</param>
public sealed record HistoryItem(long ImpressionId, long Time, long PostId, string Text, IReadOnlyList<string> Actions, bool Skipped)
{
    public bool IsPositive => Actions.Count > 0;
}

/// <summary>What a prompt is rendered for.</summary>
/// <param name="Description">Names the subject in messages ("member 42").</param>
/// <param name="Attributes">Values by source name; a missing source renders as an absent field.</param>
/// <param name="History">The member's engagements, oldest first (empty unless rendering a history).</param>
public sealed record PromptSubject(string Description, IReadOnlyDictionary<string, PromptValue> Attributes, IReadOnlyList<HistoryItem> History);
