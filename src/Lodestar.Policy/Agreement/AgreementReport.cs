// How well a labeler agrees with a golden set: per-dimension MAE and quadratic-weighted kappa, rank
// agreement of the overall score, pairwise ranking accuracy, and the worst disagreements to read.
using Lodestar.Policy.Labeling;

namespace Lodestar.Policy.Agreement;

public sealed record DimensionAgreement(string Dimension, double Mae, double QuadraticKappa);

/// <summary>A pair on which the labeler and the golden consensus differ most, with both sides' scores and notes.</summary>
public sealed record Disagreement(
    PairKey Pair,
    double GoldenOverall,
    double LabelOverall,
    IReadOnlyDictionary<string, double> GoldenScores,
    IReadOnlyDictionary<string, int> LabelScores,
    string? GoldenNote,
    string? LabelNote);

/// <param name="HumanKappa">Mean quadratic-weighted kappa between the first two annotators of multiply-judged pairs (the ceiling a labeler can hope for); null without such pairs.</param>
/// <param name="HumanSpearman">Spearman of the overall score between those two annotators.</param>
public sealed record AgreementReport(
    string PolicyVersion,
    string Labeler,
    int Pairs,
    int GoldenPairsWithoutLabel,
    IReadOnlyList<DimensionAgreement> Dimensions,
    double MeanKappa,
    double OverallMae,
    double Spearman,
    double KendallTauB,
    double PairwiseAccuracy,
    double? HumanKappa,
    double? HumanSpearman,
    int HumanPairs,
    IReadOnlyList<Disagreement> Worst)
{
    /// <summary>Compares labels with a golden set; several annotations of one pair are averaged into a consensus.</summary>
    public static AgreementReport Compare(PolicyDocument policy, IReadOnlyList<LabeledPair> golden, IReadOnlyList<LabeledPair> labels, int worstCount = 10)
    {
        var goldenByPair = golden.GroupBy(g => g.Pair).ToDictionary(g => g.Key, g => g.ToList());
        var labelsByPair = labels.GroupBy(l => l.Pair).ToDictionary(g => g.Key, g => g.First());
        var keys = goldenByPair.Keys.Where(labelsByPair.ContainsKey).OrderBy(k => k.MemberId).ThenBy(k => k.JobId).ToList();
        if (keys.Count < 2)
        {
            throw new InvalidOperationException($"only {keys.Count} golden pair(s) have a label; agreement needs at least 2 (are the files for the same pairs?)");
        }
        var dimensions = new List<DimensionAgreement>();
        var consensus = keys.Select(k => Consensus(policy, goldenByPair[k])).ToList();
        foreach (var dimension in policy.Dimensions)
        {
            var gold = consensus.Select(c => dimension.Scale.Clamp(c.Scores[dimension.Id])).ToArray();
            var pred = keys.Select(k => labelsByPair[k].Scores[dimension.Id]).ToArray();
            var mae = consensus.Zip(pred).Average(p => Math.Abs(p.First.Scores[dimension.Id] - p.Second));
            dimensions.Add(new DimensionAgreement(dimension.Id, mae, RankStatistics.QuadraticWeightedKappa(gold, pred, dimension.Scale.Min, dimension.Scale.Max)));
        }
        var goldOverall = consensus.Select(c => c.Overall).ToArray();
        var predOverall = keys.Select(k => labelsByPair[k].Overall).ToArray();
        var worst = keys.Select((k, i) => (Key: k, Index: i, Gap: Math.Abs(goldOverall[i] - predOverall[i])))
            .OrderByDescending(x => x.Gap).ThenBy(x => x.Key.MemberId).ThenBy(x => x.Key.JobId)
            .Take(worstCount)
            .Select(x => new Disagreement(x.Key, goldOverall[x.Index], predOverall[x.Index], consensus[x.Index].Scores,
                labelsByPair[x.Key].Scores, consensus[x.Index].Note, labelsByPair[x.Key].Note))
            .ToList();
        var (humanKappa, humanSpearman, humanPairs) = HumanAgreement(policy, goldenByPair.Values);
        return new AgreementReport(
            policy.VersionKey,
            labels.Count > 0 ? labels[0].Annotator : "",
            keys.Count,
            goldenByPair.Count - keys.Count,
            dimensions,
            dimensions.Average(d => d.QuadraticKappa),
            goldOverall.Zip(predOverall).Average(p => Math.Abs(p.First - p.Second)),
            RankStatistics.Spearman(goldOverall, predOverall),
            RankStatistics.KendallTauB(goldOverall, predOverall),
            RankStatistics.PairwiseAccuracy(goldOverall, predOverall),
            humanKappa,
            humanSpearman,
            humanPairs,
            worst);
    }

    private static (Dictionary<string, double> Scores, double Overall, string? Note) Consensus(PolicyDocument policy, List<LabeledPair> annotations)
    {
        var scores = policy.Dimensions.ToDictionary(d => d.Id, d => annotations.Average(a => (double)a.Scores[d.Id]), StringComparer.Ordinal);
        var notes = annotations.Where(a => !string.IsNullOrWhiteSpace(a.Note)).Select(a => $"{a.Annotator}: {a.Note}");
        return (scores, annotations.Average(a => a.Overall), string.Join(" | ", notes) is { Length: > 0 } note ? note : null);
    }

    private static (double? Kappa, double? Spearman, int Pairs) HumanAgreement(PolicyDocument policy, IEnumerable<List<LabeledPair>> groups)
    {
        var multi = groups.Where(g => g.Count >= 2).ToList();
        if (multi.Count < 2)
        {
            return (null, null, multi.Count);
        }
        var kappas = policy.Dimensions.Select(d => RankStatistics.QuadraticWeightedKappa(
            multi.Select(g => g[0].Scores[d.Id]).ToArray(), multi.Select(g => g[1].Scores[d.Id]).ToArray(), d.Scale.Min, d.Scale.Max));
        var spearman = RankStatistics.Spearman(multi.Select(g => g[0].Overall).ToArray(), multi.Select(g => g[1].Overall).ToArray());
        return (kappas.Average(), spearman, multi.Count);
    }
}
