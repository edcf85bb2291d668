// A prompt template as data: which attributes of a member, job, post, member–job pair or member history
// become which fields, how each is formatted, and the token budgets that bound the prompt.
namespace Lodestar.Text.Prompts;

/// <summary>What a template renders.</summary>
public enum PromptKind
{
    Member,
    Job,
    Post,
    Pair,
    History,
}

/// <summary>How a field's value becomes text.</summary>
public enum FieldFormat
{
    /// <summary>Free text, whitespace collapsed, cut at the token budget.</summary>
    Text,

    /// <summary>A list joined by ", ", whole items dropped from the end to fit.</summary>
    List,

    /// <summary>A category name (enum values in words: "mid senior").</summary>
    Category,

    /// <summary>A day as recency relative to the render day: "today", "3 days ago", "2 months ago".</summary>
    Recency,

    /// <summary>A number as its percentile bucket against a fitted distribution (LinkedIn Feed: "&lt;view_percentile&gt;71&lt;/view_percentile&gt;").</summary>
    Percentile,

    /// <summary>A number as written ("12345"): the ablation the percentile format is compared against.</summary>
    Number,
}

/// <summary>Which engagements a history keeps (LinkedIn Feed: positives only cut memory 37% and trained 2.6x faster).</summary>
public enum HistoryMode
{
    /// <summary>Items the member clicked, liked, commented, shared or dwelt on.</summary>
    Positives,

    /// <summary>Every impression, with &lt;skip&gt; or &lt;impression&gt; for items without a positive action.</summary>
    All,
}

/// <summary>One field of a template.</summary>
/// <param name="Name">Field name; its markers &lt;name&gt; and &lt;/name&gt; are added tokens.</param>
/// <param name="Source">The attribute it reads (see <see cref="PromptAttributes"/>).</param>
/// <param name="Format">How the value is written.</param>
/// <param name="Budget">Most tokens of the whole field, markers included.</param>
/// <param name="Priority">1 is kept longest; when the prompt is over budget, the highest numbers are cut first.</param>
/// <param name="Line">Line of the field in its YAML file (for error messages).</param>
public sealed record FieldSpec(string Name, string Source, FieldFormat Format, int Budget, int Priority, int Line)
{
    /// <summary>Buckets of a percentile field (100: 0..99).</summary>
    public int Buckets { get; init; } = 100;
}

/// <summary>The history section of a <see cref="PromptKind.History"/> template.</summary>
/// <param name="Mode">Positives only or all impressions (the renderer may override it).</param>
/// <param name="MaxItems">Most recent items considered (older ones are dropped first).</param>
/// <param name="ItemBudget">Most tokens of one item, delimiters and action tokens included.</param>
/// <param name="Budget">Most tokens of the whole &lt;history&gt; section.</param>
/// <param name="ItemSource">The post attribute an item shows (usually "post.text").</param>
public sealed record HistorySpec(HistoryMode Mode, int MaxItems, int ItemBudget, int Budget, string ItemSource)
{
    /// <summary>Like a field's priority: 1 is kept longest when the whole prompt is over budget.</summary>
    public int Priority { get; init; } = 1;
}

/// <summary>A whole template.</summary>
/// <param name="Name">Unique name ("member", "job", ...).</param>
/// <param name="Kind">What it renders.</param>
/// <param name="Budget">Most tokens of the whole prompt, delimiters included.</param>
/// <param name="Fields">Fields in the order they are written.</param>
/// <param name="History">The history section, for History templates.</param>
/// <param name="Origin">Where it was read from (file path or "built-in:name.yaml").</param>
public sealed record PromptTemplate(string Name, PromptKind Kind, int Budget, IReadOnlyList<FieldSpec> Fields, HistorySpec? History, string Origin)
{
    /// <summary>The delimiters around the whole prompt: &lt;member&gt;, &lt;job&gt;, &lt;post&gt;, &lt;pair&gt; (a history is a member's).</summary>
    public (string Open, string Close) Delimiters =>
        Tokenization.SpecialTokens.FieldMarkers(Kind == PromptKind.History ? "member" : Kind.ToString().ToLowerInvariant());
}
