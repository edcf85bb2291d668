// Protected attributes no labeler, prompt or model input may use; every policy must list at least these.
namespace Lodestar.Policy;

public static class DefaultForbiddenAttributes
{
    public static IReadOnlyList<string> All { get; } =
    [
        "age", "gender", "ethnicity", "race", "religion", "disability", "marital status", "pregnancy",
        "sexual orientation", "national origin", "political affiliation", "veteran status",
    ];
}
