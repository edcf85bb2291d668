// Checks what a policy means, beyond its YAML shape: scales, thresholds, weights, gates, forbidden
// attributes, and that every expression type-checks against the fields of the policy's pair kind.
using Lodestar.Policy.Expressions;

namespace Lodestar.Policy;

public static class PolicyValidator
{
    /// <summary>The pair kinds a policy can judge.</summary>
    public static readonly string[] Kinds = ["member_job", "member_post"];

    /// <summary>Every problem of a structurally read document; empty when it is valid.</summary>
    public static List<PolicyProblem> Validate(PolicyDocument document, IReadOnlyList<string> requiredForbidden)
    {
        var problems = new List<PolicyProblem>();
        void Problem(SourceMark mark, string message) => problems.Add(new PolicyProblem(document.SourceName, mark, message));
        var top = new SourceMark(1, 1);

        if (!Kinds.Contains(document.Kind, StringComparer.Ordinal))
        {
            Problem(top, $"kind '{document.Kind}' is not one of: {string.Join(", ", Kinds)}");
        }
        foreach (var attribute in requiredForbidden)
        {
            if (!document.ForbiddenAttributes.Any(a => Normalize(a) == Normalize(attribute)))
            {
                Problem(top, $"forbidden_attributes must include '{attribute}' (a policy may add attributes to the default list, never remove one)");
            }
        }
        if (document.Dimensions.Count == 0)
        {
            Problem(top, "the policy has no dimensions");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dimension in document.Dimensions)
        {
            var where = $"dimension '{dimension.Id}'";
            if (!IsIdentifier(dimension.Id))
            {
                Problem(dimension.Mark, $"{where}: ids are lower-case words joined by '_'");
            }
            if (!seen.Add(dimension.Id))
            {
                Problem(dimension.Mark, $"{where} is defined twice");
            }
            ValidateScale(dimension.Scale, $"the scale of {where}", dimension.Mark, Problem);
            var check = dimension.Check;
            if (ReferenceEquals(check, DimensionCheck.Missing))
            {
                continue;
            }
            if ((check.Value is null) == (check.Score is null))
            {
                Problem(dimension.Mark, $"the check of {where} needs exactly one of 'value' (with 'thresholds') or 'score'");
            }
            else if (check.Value is not null)
            {
                var wanted = dimension.Scale.Max - dimension.Scale.Min;
                if (check.Thresholds.Count != wanted)
                {
                    Problem(check.Value.Mark, $"the check of {where} has {check.Thresholds.Count} thresholds; a {dimension.Scale.Describe()} scale needs {wanted} (one per step up)");
                }
                for (var i = 1; i < check.Thresholds.Count; i++)
                {
                    if (!(check.Thresholds[i] > check.Thresholds[i - 1]))
                    {
                        Problem(check.Value.Mark, $"the thresholds of {where} must rise strictly ({check.Thresholds[i - 1]} then {check.Thresholds[i]})");
                    }
                }
            }
            else if (check.Thresholds.Count > 0)
            {
                Problem(check.Score!.Mark, $"the check of {where} has 'thresholds' but a 'score' expression, which uses none");
            }
        }

        var overall = document.Overall;
        ValidateScale(overall.Scale, "the overall scale", overall.WeightsMark, Problem);
        var total = 0.0;
        foreach (var (id, weight) in overall.Weights)
        {
            if (document.IndexOf(id) < 0)
            {
                Problem(overall.WeightsMark, $"weight for unknown dimension '{id}' (dimensions: {string.Join(", ", document.Dimensions.Select(d => d.Id))})");
            }
            if (!(weight >= 0 && weight <= 1))
            {
                Problem(overall.WeightsMark, $"bad weight {weight} for '{id}': weights lie in [0, 1]");
            }
            total += weight;
        }
        foreach (var dimension in document.Dimensions.Where(d => !overall.Weights.ContainsKey(d.Id)))
        {
            Problem(overall.WeightsMark, $"dimension '{dimension.Id}' has no weight (write 0 to leave it out of the overall score on purpose)");
        }
        if (overall.Weights.Count > 0 && Math.Abs(total - 1.0) > 1e-6)
        {
            Problem(overall.WeightsMark, $"bad weights: they sum to {total:0.######}, not 1");
        }
        foreach (var gate in overall.Gates)
        {
            if (gate.Cap < overall.Scale.Min || gate.Cap > overall.Scale.Max)
            {
                Problem(gate.Mark, $"a gate caps at {gate.Cap}, outside the overall scale {overall.Scale.Describe()}");
            }
        }
        return problems;
    }

    private static void ValidateScale(ScoreScale scale, string where, SourceMark mark, Action<SourceMark, string> problem)
    {
        if (ReferenceEquals(scale, ScoreScale.Missing))
        {
            return;
        }
        if (scale.Max <= scale.Min)
        {
            problem(mark, $"{where}: max ({scale.Max}) must exceed min ({scale.Min})");
            return;
        }
        for (var level = scale.Min; level <= scale.Max; level++)
        {
            if (!scale.Levels.TryGetValue(level, out var text) || string.IsNullOrWhiteSpace(text))
            {
                problem(mark, $"{where}: level {level} has no description (every level from {scale.Min} to {scale.Max} needs one)");
            }
        }
        foreach (var level in scale.Levels.Keys.Where(l => l < scale.Min || l > scale.Max))
        {
            problem(mark, $"{where}: level {level} lies outside {scale.Describe()}");
        }
    }

    private static string Normalize(string attribute) =>
        string.Join('_', attribute.ToLowerInvariant().Split([' ', '-', '_'], StringSplitOptions.RemoveEmptyEntries));

    private static bool IsIdentifier(string id) =>
        id.Length > 0 && char.IsAsciiLetterLower(id[0]) && id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
}
