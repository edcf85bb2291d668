// The LLM judge's prompt: the policy's own text (summary, every dimension's levels and rubric, the
// forbidden attributes) as the system message, the rendered pair as the user message, JSON requested.
using System.Text;

namespace Lodestar.Policy.Labeling;

public static class JudgePrompt
{
    public static string System(PolicyDocument policy)
    {
        var text = new StringBuilder();
        text.AppendLine($"You are a careful judge applying the product policy \"{policy.Title}\" (version {policy.Version}).");
        text.AppendLine().AppendLine(policy.Summary.Trim()).AppendLine();
        text.AppendLine($"Never use these attributes, even when you could infer them: {string.Join(", ", policy.ForbiddenAttributes)}.");
        foreach (var dimension in policy.Dimensions)
        {
            text.AppendLine().AppendLine($"## {dimension.Name} (\"{dimension.Id}\", integer {dimension.Scale.Describe()})");
            text.AppendLine(dimension.Rubric.Trim());
            foreach (var (level, description) in dimension.Scale.Levels.OrderBy(l => l.Key))
            {
                text.AppendLine($"- {level}: {description}");
            }
        }
        text.AppendLine().Append("Answer with one JSON object and nothing else: {");
        text.Append(string.Join(", ", policy.Dimensions.Select(d => $"\"{d.Id}\": {{\"score\": <integer {d.Scale.Describe()}>, \"reason\": \"<one sentence>\"}}")));
        text.AppendLine("}");
        return text.ToString();
    }

    public static string User(MatchPair pair, string renderedPair) =>
        $"Pair: member {pair.Member.Id}, job {pair.Job.Id}\n\n{renderedPair}\n\nJudge this pair on every dimension of the policy.";
}
