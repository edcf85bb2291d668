// Chooses which member–job pairs to label for the synthetic training set: random pairs, pairs near the
// policy's decision boundaries, and hard pairs (same title but wrong seniority; right skills, wrong place).
using Lodestar.Core;
using Lodestar.Data.Schema;
using Lodestar.Policy.Expressions;
using Lodestar.Policy.Labeling;

namespace Lodestar.Policy.Synthesis;

/// <summary>One planned pair and the strategy that drew it (kept as provenance).</summary>
public sealed record SampledPair(MatchPair Pair, string Strategy);

public sealed record SamplerConfig
{
    /// <summary>Distinct pairs to plan.</summary>
    public int Pairs { get; init; } = 10_000;

    /// <summary>Shares of the four strategies; they must sum to 1.</summary>
    public double RandomShare { get; init; } = 0.4;

    public double BoundaryShare { get; init; } = 0.3;

    public double HardTitleShare { get; init; } = 0.15;

    public double HardPlaceShare { get; init; } = 0.15;

    /// <summary>Overall scores where a product decision flips (1.5: show at all; 2.5: show prominently); "near" means within <see cref="BoundaryWidth"/>.</summary>
    public IReadOnlyList<double> Boundaries { get; init; } = [1.5, 2.5];

    public double BoundaryWidth { get; init; } = 0.3;

    /// <summary>Draws tried per planned pair before a strategy gives up (worlds may have few hard pairs).</summary>
    public int MaxAttemptsPerPair { get; init; } = 200;

    public int Seed { get; init; } = 1;

    public void Validate()
    {
        this.Require(Pairs >= 1, Pairs, "must be at least 1");
        double[] shares = [RandomShare, BoundaryShare, HardTitleShare, HardPlaceShare];
        this.Require(shares.All(s => s is >= 0 and <= 1) && Math.Abs(shares.Sum() - 1) <= 1e-9, shares,
            "(RandomShare, BoundaryShare, HardTitleShare, HardPlaceShare) must be shares summing to 1");
        this.Require(BoundaryWidth > 0, BoundaryWidth, "must be positive");
        this.Require(MaxAttemptsPerPair >= 1, MaxAttemptsPerPair, "must be at least 1");
    }
}

public static class PairSampler
{
    public const string Random = "random";
    public const string Boundary = "boundary";
    public const string HardTitle = "hard_same_title_wrong_seniority";
    public const string HardPlace = "hard_right_skills_wrong_place";

    /// <summary>A deterministic plan of distinct pairs (same inputs and seed, same plan), never including <paramref name="exclude"/> (e.g. the golden set).</summary>
    public static List<SampledPair> Plan(IReadOnlyList<Member> members, IReadOnlyList<Job> jobs, CompiledPolicy<Member, Job> policy, SamplerConfig config, IReadOnlySet<PairKey>? exclude = null)
    {
        config.Validate();
        if (members.Count == 0 || jobs.Count == 0)
        {
            throw new ArgumentException("sampling needs at least one member and one job");
        }
        var random = new System.Random(config.Seed);
        var jobsByOccupation = jobs.GroupBy(j => j.OccupationId).ToDictionary(g => g.Key, g => g.ToArray());
        var scores = new int[policy.DimensionCount];
        var seen = new HashSet<PairKey>();
        var plan = new List<SampledPair>(config.Pairs);
        var targets = new (string Strategy, int Count)[]
        {
            (HardTitle, (int)(config.Pairs * config.HardTitleShare)),
            (HardPlace, (int)(config.Pairs * config.HardPlaceShare)),
            (Boundary, (int)(config.Pairs * config.BoundaryShare)),
        };
        foreach (var (strategy, count) in targets)
        {
            var attempts = (long)count * config.MaxAttemptsPerPair;
            for (var made = 0; made < count && attempts-- > 0;)
            {
                var member = members[random.Next(members.Count)];
                Job? job = strategy switch
                {
                    Boundary => jobs[random.Next(jobs.Count)],
                    _ => jobsByOccupation.TryGetValue(member.OccupationId, out var same) ? same[random.Next(same.Length)] : null,
                };
                if (job is null || !Accept(strategy, member, job, policy, config, scores) || !Add(member, job, strategy))
                {
                    continue;
                }
                made++;
            }
        }
        var tries = (long)config.Pairs * config.MaxAttemptsPerPair;
        while (plan.Count < config.Pairs && tries-- > 0)
        {
            Add(members[random.Next(members.Count)], jobs[random.Next(jobs.Count)], Random);
        }
        return plan;

        bool Add(Member member, Job job, string strategy)
        {
            var pair = new MatchPair(member, job);
            if ((exclude?.Contains(pair.Key) ?? false) || !seen.Add(pair.Key))
            {
                return false;
            }
            plan.Add(new SampledPair(pair, strategy));
            return true;
        }
    }

    private static bool Accept(string strategy, Member member, Job job, CompiledPolicy<Member, Job> policy, SamplerConfig config, int[] scores)
    {
        switch (strategy)
        {
            case HardTitle:
                return Math.Abs((int)member.Seniority - (int)job.Seniority) >= 2;
            case HardPlace:
                return PolicyFunctions.Overlap(member.Skills, job.RequiredSkills) >= 0.5
                    && job.Workplace != WorkplaceType.Remote
                    && !string.Equals(member.Location.Region, job.Location.Region, StringComparison.OrdinalIgnoreCase);
            default:
                var overall = policy.Score(member, job, scores);
                return config.Boundaries.Any(b => Math.Abs(overall - b) <= config.BoundaryWidth);
        }
    }
}
