// A trained match model in lower precision against itself in float32, on its run's test split: policy NDCG@10, apply
// AUC and ECE of each variant (float32; int8 body with a float32 head; int8 everywhere; bf16 body), and how well each keeps the
// float32 order where it matters, among each member's float32 top 10 jobs: pairs that become ties or swap order.
using Lodestar.Features.JobMatching;
using Lodestar.Models.JobMatching;
using Lodestar.Training.JobMatching;
using Lodestar.Training.Loop;

namespace Lodestar.Compression.JobMatching;

/// <summary>One precision of the model: its quantized layers, its test figures and its separation against float32.</summary>
/// <param name="TiedShare">Of the pairs among each member's float32 top 10 (with distinct float32 scores), the share this variant scores equal.</param>
/// <param name="SwappedShare">The share this variant orders the other way round.</param>
public sealed record PrecisionVariant(string Name, IReadOnlyList<string> QuantizedLayers, IReadOnlyDictionary<string, double> Metrics,
    double TiedShare, double SwappedShare, long TopPairs);

public sealed record PrecisionComparison(string Run, string Role, long Parameters, int TestPairs, int CalibrationPairs, int Members,
    IReadOnlyList<PrecisionVariant> Variants);

public static class MatchPrecision
{
    /// <summary>The variants compared, float32 first.</summary>
    public static readonly IReadOnlyList<string> VariantNames = ["float32", "int8 body, float32 head", "int8 everywhere", "bf16 body, float32 head"];

    /// <summary>
    /// Compares the best weights of <paramref name="runDirectory"/> (any match role) in each precision on the run's test
    /// split; the int8 input ranges are calibrated on its validation split.
    /// </summary>
    public static PrecisionComparison Compare(string runDirectory, Action<string>? log = null)
    {
        var (_, role, config, data, model) = TrainedMatchRun.Open(runDirectory, log);
        var testSet = MatchTestSet.Of(data, MatchSplit.Test);
        var calibration = data.In(MatchSplit.Validation).ToList();
        var variants = new List<PrecisionVariant>();
        float[]? reference = null;
        foreach (var name in VariantNames)
        {
            log?.Invoke($"{name}: scoring {testSet.Examples.Count} test pairs");
            IReadOnlyList<string> quantized = name switch
            {
                "float32" => [],
                "int8 body, float32 head" => MatchQuantization.QuantizeInt8(model, calibration),
                "int8 everywhere" => MatchQuantization.QuantizeInt8(model, calibration, includeHead: true),
                _ => MatchQuantization.ToBf16(model),
            };
            var (metrics, _, _) = MatchEvaluator.Measure(testSet, model, data);
            var overall = Overall(model, testSet.Examples);
            reference ??= overall;
            var (tied, swapped, pairs) = Separation(testSet.Examples, reference, overall);
            variants.Add(new PrecisionVariant(name, quantized, metrics, tied, swapped, pairs));
        }
        MatchQuantization.DropLowPrecision(model);
        return new PrecisionComparison(runDirectory, MatchModel.RoleName(role), model.ParameterCount, testSet.Examples.Count, calibration.Count,
            testSet.Examples.Select(e => e.MemberId).Distinct().Count(), variants);
    }

    /// <summary>
    /// Among each member's top 10 jobs by <paramref name="reference"/> scores, the pairs (a above b, scores distinct) that
    /// <paramref name="scores"/> ties, and those it orders b above a; as shares of every such pair, and their count.
    /// </summary>
    public static (double Tied, double Swapped, long Pairs) Separation(IReadOnlyList<MatchExample> examples, float[] reference, float[] scores)
    {
        long pairs = 0, tied = 0, swapped = 0;
        foreach (var member in Enumerable.Range(0, examples.Count).GroupBy(i => examples[i].MemberId))
        {
            var top = member.OrderByDescending(i => reference[i]).ThenBy(i => examples[i].JobId).Take(10).ToArray();
            for (var a = 0; a < top.Length; a++)
            {
                for (var b = a + 1; b < top.Length; b++)
                {
                    if (reference[top[a]] == reference[top[b]])
                    {
                        continue;
                    }
                    pairs++;
                    tied += scores[top[a]] == scores[top[b]] ? 1 : 0;
                    swapped += scores[top[a]] < scores[top[b]] ? 1 : 0;
                }
            }
        }
        return pairs == 0 ? (0, 0, 0) : ((double)tied / pairs, (double)swapped / pairs, pairs);
    }

    private static float[] Overall(MatchModel model, IReadOnlyList<MatchExample> examples)
    {
        var logits = MatchScorer.Predict(model, examples);
        return [.. Enumerable.Range(0, examples.Count).Select(i => logits[(i * model.Layout.Width) + model.Layout.OverallColumn])];
    }
}
