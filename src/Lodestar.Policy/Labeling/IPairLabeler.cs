// The one interface every labeler implements (the embedded scorer, an LLM judge, a simulated person),
// so golden-set agreement, expansion and policy diffs work with any of them.
using Lodestar.Data.Schema;

namespace Lodestar.Policy.Labeling;

public interface IPairLabeler
{
    /// <summary>Written into every label as its annotator and into training-set provenance.</summary>
    string Name { get; }

    /// <summary>Judges one pair under the labeler's policy.</summary>
    Task<LabeledPair> LabelAsync(MatchPair pair, CancellationToken cancellationToken);
}

/// <summary>The embedded policy scorer as a labeler: deterministic, local, the default.</summary>
public sealed class PolicyScorerLabeler(CompiledPolicy<Member, Job> policy) : IPairLabeler
{
    public string Name => "policy-scorer";

    public CompiledPolicy<Member, Job> Policy { get; } = policy;

    public LabeledPair Label(MatchPair pair)
    {
        var label = Policy.Score(pair.Member, pair.Job);
        return new LabeledPair(pair.Key, ToDictionary(Policy.Document, label.Scores), label.Overall, Name);
    }

    public Task<LabeledPair> LabelAsync(MatchPair pair, CancellationToken cancellationToken) => Task.FromResult(Label(pair));

    public static Dictionary<string, int> ToDictionary(PolicyDocument policy, ReadOnlySpan<int> scores)
    {
        var map = new Dictionary<string, int>(scores.Length, StringComparer.Ordinal);
        for (var d = 0; d < scores.Length; d++)
        {
            map[policy.Dimensions[d].Id] = scores[d];
        }
        return map;
    }
}
