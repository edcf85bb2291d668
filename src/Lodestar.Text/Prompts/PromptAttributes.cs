// The attributes templates may read, by source name, with their types: the contract between the data
// schema and the templates, checked when a template loads so a typo fails at load, not at render.
namespace Lodestar.Text.Prompts;

public static class PromptAttributes
{
    /// <summary>Every known source and its type.</summary>
    public static IReadOnlyDictionary<string, AttributeType> All { get; } = new Dictionary<string, AttributeType>(StringComparer.Ordinal)
    {
        ["member.headline"] = AttributeType.Text,
        ["member.current_title"] = AttributeType.Text,
        ["member.occupation"] = AttributeType.Category,
        ["member.seniority"] = AttributeType.Category,
        ["member.years_of_experience"] = AttributeType.Number,
        ["member.skills"] = AttributeType.List,
        ["member.skill_count"] = AttributeType.Number,
        ["member.industry"] = AttributeType.Category,
        ["member.location"] = AttributeType.Category,
        ["member.country"] = AttributeType.Category,
        ["member.remote_preference"] = AttributeType.Category,
        ["member.education"] = AttributeType.List,
        ["member.work_history"] = AttributeType.List,
        ["member.credentials"] = AttributeType.List,
        ["member.work_authorisations"] = AttributeType.List,
        ["member.joined"] = AttributeType.Day,
        ["member.positive_engagements"] = AttributeType.Number,
        ["job.title"] = AttributeType.Text,
        ["job.company"] = AttributeType.Category,
        ["job.company_industry"] = AttributeType.Category,
        ["job.company_size"] = AttributeType.Category,
        ["job.description"] = AttributeType.Text,
        ["job.required_skills"] = AttributeType.List,
        ["job.nice_to_have_skills"] = AttributeType.List,
        ["job.seniority"] = AttributeType.Category,
        ["job.location"] = AttributeType.Category,
        ["job.workplace"] = AttributeType.Category,
        ["job.industry"] = AttributeType.Category,
        ["job.hard_requirements"] = AttributeType.List,
        ["job.posted"] = AttributeType.Day,
        ["job.views"] = AttributeType.Number,
        ["job.applies"] = AttributeType.Number,
        ["job.apply_rate"] = AttributeType.Number,
        ["post.text"] = AttributeType.Text,
        ["post.format"] = AttributeType.Category,
        ["post.topics"] = AttributeType.List,
        ["post.author_headline"] = AttributeType.Text,
        ["post.author_company"] = AttributeType.Category,
        ["post.author_industry"] = AttributeType.Category,
        ["post.created"] = AttributeType.Day,
        ["post.age_days"] = AttributeType.Number,
        ["post.impressions"] = AttributeType.Number,
        ["post.clicks"] = AttributeType.Number,
        ["post.likes"] = AttributeType.Number,
        ["post.comments"] = AttributeType.Number,
        ["post.shares"] = AttributeType.Number,
        ["post.engagement_rate"] = AttributeType.Number,
    };

    /// <summary>The entity prefixes a template of <paramref name="kind"/> may read.</summary>
    public static IReadOnlyList<string> PrefixesOf(PromptKind kind) => kind switch
    {
        PromptKind.Member or PromptKind.History => ["member."],
        PromptKind.Job => ["job."],
        PromptKind.Post => ["post."],
        PromptKind.Pair => ["member.", "job."],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The formats a value of <paramref name="type"/> may be written in.</summary>
    public static bool Allows(AttributeType type, FieldFormat format) => format switch
    {
        FieldFormat.Text => type is AttributeType.Text or AttributeType.Category,
        FieldFormat.Category => type is AttributeType.Category or AttributeType.Text,
        FieldFormat.List => type is AttributeType.List,
        FieldFormat.Recency => type is AttributeType.Day,
        FieldFormat.Percentile or FieldFormat.Number => type is AttributeType.Number,
        _ => false,
    };
}
