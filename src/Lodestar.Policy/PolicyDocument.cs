// The product policy as data: named dimensions with scales, rubric text for people and LLM judges,
// machine-checkable expressions for the embedded scorer, an overall rule, and forbidden attributes.
using System.Globalization;

namespace Lodestar.Policy;

/// <summary>A 1-based line and column in a policy file.</summary>
public readonly record struct SourceMark(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}

/// <summary>One problem found in a policy file, with its exact place.</summary>
public sealed record PolicyProblem(string File, SourceMark Mark, string Message)
{
    public override string ToString() => $"{File}:{Mark.Line}:{Mark.Column}: {Message}";
}

/// <summary>Thrown when a policy file does not load; carries every problem found, not just the first.</summary>
public sealed class PolicyException(IReadOnlyList<PolicyProblem> problems)
    : Exception(problems.Count == 1 ? problems[0].ToString() : $"{problems[0]} (and {problems.Count - 1} more problem(s))")
{
    public IReadOnlyList<PolicyProblem> Problems { get; } = problems;
}

/// <summary>An expression as written in the file; <see cref="MarkOf"/> turns a character offset into a file position.</summary>
public sealed record PolicyExpression(string Text, SourceMark Mark, IReadOnlyList<SourceMark> CharacterMarks)
{
    public SourceMark MarkOf(int offset) =>
        CharacterMarks.Count == 0 ? Mark : CharacterMarks[Math.Clamp(offset, 0, CharacterMarks.Count - 1)];

    public override string ToString() => Text;
}

/// <summary>An integer scale with a description of every level (e.g. 0–4).</summary>
public sealed record ScoreScale(int Min, int Max, IReadOnlyDictionary<int, string> Levels)
{
    /// <summary>Stands in for a scale the file lacks (already reported), so later checks skip it instead of repeating the problem.</summary>
    public static ScoreScale Missing { get; } = new(0, 1, new Dictionary<int, string> { [0] = "?", [1] = "?" });

    /// <summary>Rounds half away from zero and clamps into the scale.</summary>
    public int Clamp(double value) => (int)Math.Clamp(Math.Round(value, MidpointRounding.AwayFromZero), Min, Max);

    public string Describe() => $"{Min.ToString(CultureInfo.InvariantCulture)}–{Max.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>
/// The machine-checkable part of a dimension: either <see cref="Value"/> with ascending
/// <see cref="Thresholds"/> (score = scale.min + number of thresholds the value reaches) or a direct
/// <see cref="Score"/> expression, rounded and clamped into the scale.
/// </summary>
public sealed record DimensionCheck(PolicyExpression? Value, IReadOnlyList<double> Thresholds, PolicyExpression? Score)
{
    /// <summary>Stands in for a check the file lacks (already reported).</summary>
    public static DimensionCheck Missing { get; } = new(null, [], null);
}

public sealed record PolicyDimension(string Id, string Name, ScoreScale Scale, string Rubric, DimensionCheck Check, SourceMark Mark);

/// <summary>A cap on the overall score when a condition over dimension scores holds.</summary>
public sealed record PolicyGate(PolicyExpression When, double Cap, string Reason, SourceMark Mark);

/// <summary>Overall score = weighted mean of dimension scores (each mapped onto the overall scale), then every matching gate's cap.</summary>
public sealed record OverallRule(ScoreScale Scale, IReadOnlyDictionary<string, double> Weights, IReadOnlyList<PolicyGate> Gates, SourceMark WeightsMark);

/// <summary>A whole policy document.</summary>
public sealed record PolicyDocument(
    string Id,
    string Version,
    string Title,
    string Kind,
    string Summary,
    IReadOnlyList<string> ForbiddenAttributes,
    IReadOnlyList<PolicyDimension> Dimensions,
    OverallRule Overall,
    string SourceName,
    string ContentHash)
{
    /// <summary>Identifies this exact policy text: id, declared version and a hash of the content (so an edit without a version bump still changes it).</summary>
    public string VersionKey => $"{Id}@{Version}#{ContentHash[..12]}";

    public int IndexOf(string dimensionId)
    {
        for (var i = 0; i < Dimensions.Count; i++)
        {
            if (Dimensions[i].Id == dimensionId)
            {
                return i;
            }
        }
        return -1;
    }
}
