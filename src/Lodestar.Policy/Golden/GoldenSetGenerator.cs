// Makes a golden set the way a labeling team would: each pair judged by one annotator (several on a
// subset, to measure disagreement), each annotator with a personal bias and noise level around the
// world's true match quality, a few careless judgements, and notes where a person would leave one.
using Lodestar.Core;
using Lodestar.Policy.Labeling;

namespace Lodestar.Policy.Golden;

/// <summary>A pair with its true quality per policy dimension and overall, each in [0, 1] (from the world's ground truth).</summary>
public sealed record TruthPair(MatchPair Pair, IReadOnlyDictionary<string, double> Truth, double Overall);

public sealed record GoldenSetConfig
{
    /// <summary>Distinct pairs in the set ("thousands", as in LinkedIn's golden set).</summary>
    public int Pairs { get; init; } = 3_000;

    /// <summary>Share of pairs judged by several annotators, to measure human disagreement.</summary>
    public double MultiAnnotatedShare { get; init; } = 0.2;

    /// <summary>Annotators on each multiply-judged pair.</summary>
    public int AnnotatorsPerMultiPair { get; init; } = 3;

    /// <summary>Size of the annotator pool.</summary>
    public int Annotators { get; init; } = 8;

    /// <summary>Annotator noise (score points, one sigma) is drawn uniformly from [NoiseMin, NoiseMax] per annotator.</summary>
    public double NoiseMin { get; init; } = 0.3;

    public double NoiseMax { get; init; } = 0.7;

    /// <summary>Spread of an annotator's leniency (+) or harshness (−), in score points.</summary>
    public double BiasSigma { get; init; } = 0.25;

    /// <summary>Chance that one judgement is careless (uniformly random scores).</summary>
    public double CarelessRate { get; init; } = 0.02;

    /// <summary>Chance that an annotator writes a note on a judgement.</summary>
    public double NoteRate { get; init; } = 0.3;

    public int Seed { get; init; } = 6;

    public void Validate()
    {
        this.Require(Pairs >= 2, Pairs, "must be at least 2");
        this.Require(MultiAnnotatedShare is >= 0 and <= 1, MultiAnnotatedShare, "must be in [0, 1]");
        this.Require(Annotators >= 1, Annotators, "must be at least 1");
        this.Require(AnnotatorsPerMultiPair >= 2 && AnnotatorsPerMultiPair <= Annotators, AnnotatorsPerMultiPair, $"must be in [2, Annotators ({Annotators})]");
        this.Require(NoiseMin >= 0, NoiseMin, "must not be negative");
        this.Require(NoiseMax >= NoiseMin, NoiseMax, $"must be at least NoiseMin ({NoiseMin})");
        this.Require(BiasSigma >= 0, BiasSigma, "must not be negative");
        this.Require(CarelessRate is >= 0 and <= 1, CarelessRate, "must be in [0, 1]");
        this.Require(NoteRate is >= 0 and <= 1, NoteRate, "must be in [0, 1]");
    }
}

public static class GoldenSetGenerator
{
    private sealed record Annotator(string Name, double Bias, double Noise);

    /// <summary>Judges the first <see cref="GoldenSetConfig.Pairs"/> distinct candidates (in a seeded shuffle). Same seed, same labels.</summary>
    public static List<LabeledPair> Generate(PolicyDocument policy, IReadOnlyList<TruthPair> candidates, GoldenSetConfig config)
    {
        config.Validate();
        foreach (var dimension in policy.Dimensions.Where(d => candidates.Count > 0 && !candidates[0].Truth.ContainsKey(d.Id)))
        {
            throw new ArgumentException($"the ground truth has no value for policy dimension '{dimension.Id}' (it has: {string.Join(", ", candidates[0].Truth.Keys)})");
        }
        var random = new Random(config.Seed);
        var annotators = Enumerable.Range(1, config.Annotators)
            .Select(i => new Annotator($"annotator-{i:00}", Gaussian(random) * config.BiasSigma, config.NoiseMin + random.NextDouble() * (config.NoiseMax - config.NoiseMin)))
            .ToArray();
        var order = Enumerable.Range(0, candidates.Count).ToArray();
        random.Shuffle(order);
        var seen = new HashSet<PairKey>();
        var labels = new List<LabeledPair>();
        foreach (var index in order)
        {
            if (seen.Count == config.Pairs)
            {
                break;
            }
            var candidate = candidates[index];
            if (!seen.Add(candidate.Pair.Key))
            {
                continue;
            }
            var judges = random.NextDouble() < config.MultiAnnotatedShare ? config.AnnotatorsPerMultiPair : 1;
            var pool = annotators.ToArray();
            random.Shuffle(pool);
            foreach (var annotator in pool.Take(judges))
            {
                labels.Add(Judge(policy, candidate, annotator, config, random));
            }
        }
        if (seen.Count < config.Pairs)
        {
            throw new ArgumentException($"only {seen.Count} distinct pairs have ground truth; {config.Pairs} were asked for");
        }
        return labels;
    }

    private static LabeledPair Judge(PolicyDocument policy, TruthPair candidate, Annotator annotator, GoldenSetConfig config, Random random)
    {
        var careless = random.NextDouble() < config.CarelessRate;
        var scores = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var dimension in policy.Dimensions)
        {
            var scale = dimension.Scale;
            var truth = scale.Min + (scale.Max - scale.Min) * Math.Clamp(candidate.Truth[dimension.Id], 0, 1);
            scores[dimension.Id] = careless
                ? random.Next(scale.Min, scale.Max + 1)
                : scale.Clamp(truth + annotator.Bias + Gaussian(random) * annotator.Noise);
        }
        var overallScale = policy.Overall.Scale;
        var overallTruth = overallScale.Min + (overallScale.Max - overallScale.Min) * Math.Clamp(candidate.Overall, 0, 1);
        var overall = careless
            ? random.Next(overallScale.Min, overallScale.Max + 1)
            : overallScale.Clamp(overallTruth + annotator.Bias + Gaussian(random) * annotator.Noise);
        string? note = null;
        if (!careless && random.NextDouble() < config.NoteRate)
        {
            var weakest = policy.Dimensions.MinBy(d => scores[d.Id] - d.Scale.Min)!;
            note = $"weakest: {weakest.Name.ToLowerInvariant()} — {weakest.Scale.Levels[scores[weakest.Id]]}";
        }
        return new LabeledPair(candidate.Pair.Key, scores, overall, annotator.Name, note, policy.VersionKey);
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
}
