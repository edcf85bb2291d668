// What a fairness audit of one run found: creator exposure per ranker (feed rankers), member outcomes per matcher
// (job matchers), the proxy probes and the counterfactual check, with the thresholds and definitions they were read by.
using Lodestar.Evaluation.Fairness;

namespace Lodestar.Experiments.Audit;

/// <summary>One ranker's exposure by creator grouping, and the groups the thresholds flag ("author-gender: male 1.41").</summary>
public sealed record RankerAudit(string Ranker, string Description, IReadOnlyDictionary<string, ExposureSummary> Groupings, IReadOnlyList<string> Flags);

/// <summary>One matcher's member outcomes by protected attribute (over the members with a well-matched job), and the groups the thresholds flag.</summary>
public sealed record MatcherAudit(string Matcher, string Description, int Members, double ShownRate, double ApplyRate, IReadOnlyDictionary<string, IReadOnlyList<MemberGroupOutcome>> Attributes, IReadOnlyList<string> Flags);

/// <param name="Feedback">The popularity feedback loop of the world's logged feed (feed audits), or null.</param>
public sealed record FairnessReport(string Run, string Task, string World, IReadOnlyList<string> Definitions, FairnessThresholds Thresholds, long Lists,
    IReadOnlyList<RankerAudit> Rankers, IReadOnlyList<MatcherAudit> Matchers, IReadOnlyList<ProbeAudit> Probes, InvarianceCheck Invariance, FeedbackLoop? Feedback = null);
