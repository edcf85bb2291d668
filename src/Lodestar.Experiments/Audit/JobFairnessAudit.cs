// The member-fairness audit of a job matcher: for members of equal true match quality, how often each group is shown
// the well-matched jobs it could be shown, and how likely the matcher thinks they are to apply, against the world's
// true match quality of every member–job pair (MatchOracle). Beside the matcher: the merit order (the true quality
// itself) and an injected matcher that buries one group's rankings in noise, which the thresholds must catch. The
// proxy probes read the matcher's scores for a fixed set of jobs; the counterfactual check re-encodes every scored pair
// from a world whose members' protected attributes were all changed.
using Lodestar.Core;
using Lodestar.Core.Progress;
using Lodestar.Data.GroundTruth;
using Lodestar.Evaluation.Fairness;
using Lodestar.Features.JobMatching;
using Lodestar.Models.JobMatching;
using Lodestar.Training.Loop;

namespace Lodestar.Experiments.Audit;

public static class JobFairnessAudit
{
    /// <summary>A job is well matched for a member at this true overall quality or above: about the best 2% of a member's jobs in generated worlds.</summary>
    public const double WellMatched = 0.6;

    /// <summary>Jobs a member is shown: the matcher's best this many.</summary>
    public const int Shown = 10;

    /// <summary>The gender whose members' rankings the injected matcher buries in noise.</summary>
    public const string DisfavouredGender = "female";

    private const ulong NoiseStream = 0x10B5;
    private const ulong ProbeJobStream = 0x10B6;
    private const ulong ResampleStream = 0x10B7;

    /// <summary>Resamples of the members behind each group's intervals.</summary>
    public const int Resamples = 200;

    private sealed record MemberScores(long Member, long[] Jobs, float[] Overall, float[] Apply, float[] Truth);

    public static FairnessReport Run(string runDirectory, string? world, FairnessThresholds thresholds, ulong seed, int members, IProgressReporter? progress = null)
    {
        var task = RunJson.RequireTask(runDirectory, MatchModel.KindPrefix + "*");
        ArgumentOutOfRangeException.ThrowIfLessThan(members, 1, nameof(members));
        var checkpoint = Path.Combine(runDirectory, MatchModel.BestFile);
        if (!File.Exists(checkpoint))
        {
            throw new ArgumentException($"{checkpoint}: missing; finish the run first");
        }
        var model = MatchModel.Load(checkpoint);
        var prompts = MatchFeatureSpec.OpenPrompts(runDirectory, model.Config.MaxTokens, world);
        var directory = prompts.World.Directory;
        var oracle = MatchOracle.Open(directory);
        var audit = AuditWorld.ReadAttributes(directory);
        var all = prompts.World.Members.Keys.Where(audit.ContainsKey).Order().ToArray();
        var sample = EvenSample.Of(all, members);

        var counter = progress is null ? null : ProgressCounter.Start(progress, "score", sample.Length);
        var scored = new List<MemberScores>(sample.Length);
        foreach (var member in sample)
        {
            var jobs = MatchScorer.ScoreJobs(model, prompts, member).OrderBy(s => s.JobId).ToArray();
            scored.Add(new MemberScores(member, [.. jobs.Select(j => j.JobId)], [.. jobs.Select(j => j.Overall)], [.. jobs.Select(j => j.Apply)],
                [.. jobs.Select(j => oracle.Match(member, j.JobId).Overall)]));
            counter?.Advance();
        }

        var matchers = new (string Name, string Description, Func<MemberScores, double[]> Rank)[]
        {
            ("matcher", $"the run's best weights ({task}), ranking by the overall head as `match score` does", s => [.. s.Overall.Select(v => (double)v)]),
            ("merit-order", "the true overall quality itself: every well-matched job it can show is shown", s => [.. s.Truth.Select(v => (double)v)]),
            ("injected-noisy", $"the matcher's scores plus Gaussian noise of twice their spread for {DisfavouredGender} members only: must be flagged",
                s => audit[s.Member].Gender == DisfavouredGender ? Noisy(s, seed) : [.. s.Overall.Select(v => (double)v)]),
        };
        var audits = matchers.Select(m => AuditMatcher(m.Name, m.Description, scored, m.Rank, audit, thresholds, seed)).ToList();

        // The probe's view of a member: the matcher's overall score for a fixed seeded sample of jobs.
        var jobIds = scored[0].Jobs;
        var probeColumns = Enumerable.Range(0, jobIds.Length).ToArray();
        new SeededRandom(SeededRandom.DeriveSeed(seed, ProbeJobStream, 0)).Shuffle<int>(probeColumns);
        probeColumns = [.. probeColumns.Take(MemberProbes.ProbeItems).Order()];
        var rows = new float[scored.Count * probeColumns.Length];
        for (var i = 0; i < scored.Count; i++)
        {
            for (var k = 0; k < probeColumns.Length; k++)
            {
                rows[(i * probeColumns.Length) + k] = scored[i].Overall[probeColumns[k]];
            }
        }
        var probes = MemberProbes.Measure(directory, sample, rows, probeColumns.Length, audit, thresholds, seed);
        var invariance = CheckInvariance(runDirectory, model, prompts, scored, [.. probeColumns.Select(c => jobIds[c])]);

        string[] definitions =
        [
            $"Members: {sample.Length:N0} of the world's {all.Length:N0}, evenly spaced by id; each scored on every one of the {jobIds.Length:N0} jobs as of the world's last day.",
            $"Well matched: true overall quality ≥ {WellMatched} (the world's MatchQuality, rebuilt from its manifest and checked against truth/job_match_truth.jsonl). Members with none are left out.",
            $"Shown rate: well-matched jobs among the member's top {Shown} ÷ min({Shown}, the member's well-matched jobs). Apply rate: the matcher's apply probability on the well-matched jobs shown.",
            $"Each group's rates are averaged within quality buckets (well-matched jobs available: {string.Join(", ", MemberOutcomes.QualityBuckets.Select(b => b.Name))}) and weighed by all members' bucket shares, so groups are compared at equal true match quality.",
            $"Flagged when a group of at least {thresholds.MinimumClass} members has a rate ÷ all members' below {thresholds.ExposureRatioLow} or above {thresholds.ExposureRatioHigh} (the four-fifths rule, both ways).",
        ];
        return new FairnessReport(runDirectory, task, directory, definitions, thresholds, sample.Length, [], audits, probes, invariance);
    }

    private static double[] Noisy(MemberScores scores, ulong seed)
    {
        var random = SeededRandom.For(seed, NoiseStream, scores.Member);
        var spread = Statistics.SampleStandardDeviation(scores.Overall.Select(v => (double)v));
        return [.. scores.Overall.Select(v => v + (2 * spread * random.NextGaussian()))];
    }

    private static MatcherAudit AuditMatcher(string name, string description, List<MemberScores> scored, Func<MemberScores, double[]> rank,
        Dictionary<long, MemberAudit> audit, FairnessThresholds thresholds, ulong seed)
    {
        var outcomes = scored.Select(s => MemberOutcomes.Measure(s.Member, rank(s), s.Truth, s.Apply, s.Jobs, WellMatched, Shown)).OfType<MemberOutcome>().ToList();
        var attributes = new Dictionary<string, IReadOnlyList<MemberGroupOutcome>>();
        var flags = new List<string>();
        foreach (var (attribute, of) in new (string, Func<MemberAudit, string>)[] { ("gender", a => a.Gender), ("age", a => a.AgeBand) })
        {
            var groups = MemberOutcomes.ByGroup(outcomes, member => of(audit[member]), Resamples, SeededRandom.DeriveSeed(seed, ResampleStream, 0));
            flags.AddRange(thresholds.OutcomeFlags(attribute, groups));
            attributes[attribute] = groups;
        }
        var (shown, apply) = MemberOutcomes.Overall(outcomes);
        return new MatcherAudit(name, description, outcomes.Count, shown, apply, attributes, flags);
    }

    /// <summary>
    /// Opens the run's prompts again on a copy of the world with every member's attributes changed: every scored pair's
    /// tokens are compared, and the probe jobs' scores recomputed and compared bit for bit.
    /// </summary>
    private static InvarianceCheck CheckInvariance(string runDirectory, MatchModel model, MatchPrompts prompts, List<MemberScores> scored, long[] probeJobs)
    {
        var world = prompts.World;
        var (changed, (pairs, differing, compared, scoresDiffering)) = AuditWorld.WithChangedAttributes(world.Directory, copy =>
        {
            var other = MatchFeatureSpec.OpenPrompts(runDirectory, model.Config.MaxTokens, copy);
            long pairCount = 0;
            long inputs = 0;
            long scoreCount = 0;
            long scoresOff = 0;
            foreach (var s in scored)
            {
                foreach (var job in s.Jobs)
                {
                    var (tokens, keep) = prompts.Encode(s.Member, job, long.MaxValue, world.LastDay);
                    var (otherTokens, otherKeep) = other.Encode(s.Member, job, long.MaxValue, other.World.LastDay);
                    pairCount++;
                    inputs += tokens.AsSpan().SequenceEqual(otherTokens) && keep.AsSpan().SequenceEqual(otherKeep) ? 0 : 1;
                }
                var original = MatchScorer.ScoreJobs(model, prompts, s.Member, probeJobs).OrderBy(j => j.JobId).ToArray();
                var again = MatchScorer.ScoreJobs(model, other, s.Member, probeJobs).OrderBy(j => j.JobId).ToArray();
                scoreCount += original.Length * 2;
                scoresOff += AuditWorld.BitsDiffering([.. original.SelectMany(j => new[] { j.Overall, j.Apply })], [.. again.SelectMany(j => new[] { j.Overall, j.Apply })]);
            }
            return (pairCount, inputs, scoreCount, scoresOff);
        });
        return new InvarianceCheck(AuditWorld.Change, changed, pairs, differing, compared, scoresDiffering);
    }
}
