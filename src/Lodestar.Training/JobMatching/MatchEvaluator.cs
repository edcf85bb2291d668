// `lodestar match eval`: golden-set agreement (the policy `agree` metrics), policy NDCG@10 (jobs for a member
// against the policy's own graded overall score), graded NDCG@10 of jobs for a member and members for a job
// against the world's true match, apply AUC and calibration for each model (speed is Lodestar.Bench's).
using Lodestar.Evaluation.Calibration;
using Lodestar.Evaluation.Match;
using Lodestar.Models.JobMatching;
using Lodestar.Policy.Agreement;
using Lodestar.Policy.Golden;
using Lodestar.Policy.Labeling;
using Lodestar.Text.Prompts;
using Lodestar.Features.JobMatching;
using Lodestar.Training.Loop;

namespace Lodestar.Training.JobMatching;

/// <summary>One model's figures on the split: Metrics under MatchMetrics keys, the apply head's calibration, its speed and training epochs.</summary>
public sealed record MatchModelReport(
    string Role,
    string Run,
    long Parameters,
    IReadOnlyDictionary<string, double> Metrics,
    LogitCalibration Calibration,
    ReliabilityCurve Reliability,
    MatchSpeed? Speed,
    IReadOnlyList<EpochRecord> Epochs)
{
    /// <summary>The split the figures are of (speed, when measured, reads the same split's pairs).</summary>
    public MatchSplit Split { get; init; } = MatchSplit.Test;

    /// <summary>The speed, for tables that show it; throws when it was not measured (MatchSpeedProtocol.AddSpeed measures it).</summary>
    public MatchSpeed MeasuredSpeed => Speed ?? throw new InvalidOperationException($"{Role}: this evaluation has no speed figures (Lodestar.Bench's MatchSpeedProtocol.AddSpeed measures them)");
}

/// <summary>
/// What every model of one evaluation is measured against: the split's examples, the viewed pairs whose apply labels
/// fit the temperature (validation, or train when validation is measured), the golden set drawn from the split's
/// pairs with a true match, and the policy's overall score of every example.
/// </summary>
public sealed record MatchTestSet(
    MatchDataSet Data,
    MatchSplit Split,
    MatchSplit CalibrationSplit,
    IReadOnlyList<MatchExample> Examples,
    IReadOnlyList<MatchExample> ApplyExamples,
    IReadOnlyList<MatchExample> CalibrationApplyExamples,
    IReadOnlyList<LabeledPair> Golden,
    double[] PolicyOverall)
{
    public static MatchTestSet Of(MatchDataSet data, MatchSplit split)
    {
        var examples = data.In(split).ToList();
        var calibrationSplit = split == MatchSplit.Validation ? MatchSplit.Train : MatchSplit.Validation;
        var world = WorldSnapshot.Load(data.WorldDirectory);
        var keys = examples.Select(e => (e.MemberId, e.JobId)).ToHashSet();
        var truthPairs = WorldTruth.Read(world).Where(t => keys.Contains((t.Pair.Member.Id, t.Pair.Job.Id))).DistinctBy(t => t.Pair.Key).ToList();
        var golden = GoldenSetGenerator.Generate(data.Policy.Document, truthPairs, new GoldenSetConfig { Pairs = Math.Min(truthPairs.Count, 1_000) });
        return new MatchTestSet(data, split, calibrationSplit, examples, examples.Where(e => e.Applied >= 0).ToList(),
            data.In(calibrationSplit).Where(e => e.Applied >= 0).ToList(), golden, MatchEvaluator.PolicyOverall(data, world, examples));
    }
}

public sealed record MatchEvaluation(
    string DataHash,
    int TestExamples,
    int TestApplyExamples,
    int GoldenPairs,
    double FmaPeakGflops,
    IReadOnlyList<MatchModelReport> Models);

public static class MatchEvaluator
{
    /// <summary>
    /// Evaluates each (role, run directory) on a split of the data set (test unless tuning on validation). Speed is
    /// left out (Speed null, FmaPeakGflops NaN): Lodestar.Bench's MatchSpeedProtocol.AddSpeed measures it.
    /// </summary>
    public static MatchEvaluation Evaluate(MatchDataSet data, IReadOnlyList<(MatchRole Role, string Run)> runs, MatchSplit split = MatchSplit.Test)
    {
        var testSet = MatchTestSet.Of(data, split);
        var reports = new List<MatchModelReport>();
        foreach (var (role, run) in runs)
        {
            var model = MatchInference.LoadBest(run, role, data.VocabSize, data.Layout);
            // The run reads the same pairs in the same order, possibly as prompts with more in them (MatchPipeline.ForRun).
            var (metrics, calibration, reliability) = Measure(testSet, model, MatchPipeline.ForRun(data, run));
            reports.Add(new MatchModelReport(MatchModel.RoleName(role), run, model.ParameterCount, metrics, calibration, reliability, null,
                RunRecord<MatchTrainingConfig>.Read(run).Epochs) { Split = split });
        }
        return new MatchEvaluation(data.ContentHash, testSet.Examples.Count, testSet.ApplyExamples.Count, testSet.Golden.Select(g => g.Pair).Distinct().Count(), double.NaN, reports);
    }

    /// <summary>
    /// The MatchMetrics figures of one model on a test set, with the temperature fitted on the calibration split's
    /// apply labels and the reliability curve after it. <paramref name="runData"/> is the data set as the model reads
    /// it: the same pairs in the same order (MatchPipeline.ForRun), possibly with longer prompts.
    /// </summary>
    public static (IReadOnlyDictionary<string, double> Metrics, LogitCalibration Calibration, ReliabilityCurve Reliability) Measure(
        MatchTestSet testSet, MatchModel model, MatchDataSet runData)
    {
        var data = testSet.Data;
        var test = testSet.Examples;
        var logits = MatchScorer.Predict(model, runData.In(testSet.Split).ToList());
        var width = data.Layout.Width;
        double Overall(int i) => logits[(i * width) + data.Layout.OverallColumn];
        var agreement = AgreementReport.Compare(data.Policy.Document, testSet.Golden, Labels(data, test, logits, model.Role.ToString()));
        var applyTest = ApplyLogits(model, runData.In(testSet.Split).Where(e => e.Applied >= 0).ToList());
        var applyCalibration = ApplyLogits(model, runData.In(testSet.CalibrationSplit).Where(e => e.Applied >= 0).ToList());
        var labels = testSet.ApplyExamples.Select(e => e.Applied).ToArray();
        var calibration = testSet.CalibrationApplyExamples.Count == 0 ? LogitCalibration.Identity
            : ProbabilityCalibration.FitTemperature(applyCalibration, testSet.CalibrationApplyExamples.Select(e => e.Applied).ToArray());
        var raw = applyTest.Select(z => LogitCalibration.Identity.Probability(z)).ToArray();
        var reliability = ProbabilityCalibration.Reliability(applyTest.Select(z => calibration.Probability(z)).ToArray(), labels);
        var metrics = new Dictionary<string, double>
        {
            [MatchMetrics.NdcgPolicy] = MemberPolicyNdcg(data, test, testSet.PolicyOverall, Overall),
            [MatchMetrics.NdcgTruth] = MemberNdcg(test, Overall),
            [MatchMetrics.NdcgTruthByJob] = GradedRanking.MeanNdcg(test.Select((e, i) => (e, i)).Where(p => !float.IsNaN(p.e.Truth))
                .Select(p => (p.e.JobId, Overall(p.i), 4.0 * p.e.Truth)), PolicyNdcg.K, PolicyNdcg.MinJobsPerMember),
            [MatchMetrics.KappaGolden] = agreement.MeanKappa,
            [MatchMetrics.SpearmanGolden] = agreement.Spearman,
            [MatchMetrics.AucApply] = BothClasses(labels) ? ProbabilityCalibration.Auc(raw, labels) : double.NaN,
            [MatchMetrics.EceApply] = reliability.ExpectedCalibrationError,
            [MatchMetrics.EceApplyRaw] = ProbabilityCalibration.Reliability(raw, labels).ExpectedCalibrationError,
        };
        return (metrics, calibration, reliability);
    }

    /// <summary>
    /// The policy scorer itself (the labeller the policy teacher learns from) ranking each member's jobs of the split:
    /// (truth NDCG@10, policy NDCG@10). Its overall score takes few distinct values (truth ties are ranked pessimistically
    /// by GradedRanking, lowest truth first), so its truth figure is not a ceiling for a smooth model; its policy NDCG@10
    /// is 1.0 by definition (it is the ideal ranking) and is computed, not assumed.
    /// </summary>
    public static (double TruthNdcg10, double PolicyNdcg10) PolicyScorerNdcg(MatchDataSet data, MatchSplit split)
    {
        var examples = data.In(split).ToList();
        var overall = PolicyOverall(data, WorldSnapshot.Load(data.WorldDirectory), examples);
        return (MemberNdcg(examples, i => overall[i]), MemberPolicyNdcg(data, examples, overall, i => overall[i]));
    }

    /// <summary>The policy's overall score (on its scale) of every example, labelled or not: the scorer is a program over the world.</summary>
    public static double[] PolicyOverall(MatchDataSet data, WorldSnapshot world, IReadOnlyList<MatchExample> examples)
    {
        var scores = new int[data.Policy.DimensionCount];
        return examples.Select(e => data.Policy.Score(world.Member(e.MemberId), world.Job(e.JobId), scores)).ToArray();
    }

    /// <summary>Policy NDCG@10 (PolicyNdcg) of every member's jobs among the examples, ranked by score(example index).</summary>
    private static double MemberPolicyNdcg(MatchDataSet data, IReadOnlyList<MatchExample> examples, double[] policyOverall, Func<int, double> score) =>
        PolicyNdcg.MeanOverMembers(examples.Select((e, i) => (e.MemberId, score(i), policyOverall[i])), data.Policy.Document.Overall.Scale.Min);

    /// <summary>Mean graded NDCG@10 over members of the examples with a true match, ranked by score(example index).</summary>
    private static double MemberNdcg(IReadOnlyList<MatchExample> examples, Func<int, double> score) =>
        GradedRanking.MeanNdcg(examples.Select((e, i) => (e, i)).Where(p => !float.IsNaN(p.e.Truth))
            .Select(p => (p.e.MemberId, score(p.i), 4.0 * p.e.Truth)), PolicyNdcg.K, PolicyNdcg.MinJobsPerMember);

    /// <summary>AUC is defined only when the test split has both applied and not-applied views (tiny worlds may not).</summary>
    private static bool BothClasses(int[] labels) => labels.Contains(0) && labels.Contains(1);

    /// <summary>The model's labels in the policy's format: argmax level per dimension, σ(overall) on the overall scale.</summary>
    private static List<LabeledPair> Labels(MatchDataSet data, IReadOnlyList<MatchExample> examples, float[] logits, string name)
    {
        var document = data.Policy.Document;
        var layout = data.Layout;
        var labels = new List<LabeledPair>(examples.Count);
        for (var i = 0; i < examples.Count; i++)
        {
            var row = logits.AsSpan(i * layout.Width, layout.Width);
            var scores = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var d = 0; d < layout.DimensionLevels.Count; d++)
            {
                var levels = row.Slice(layout.DimensionOffsets[d], layout.DimensionLevels[d]);
                scores[document.Dimensions[d].Id] = document.Dimensions[d].Scale.Min + System.Numerics.Tensors.TensorPrimitives.IndexOfMax(levels);
            }
            var scale = document.Overall.Scale;
            var overall = scale.Min + ((scale.Max - scale.Min) / (1 + Math.Exp(-row[layout.OverallColumn])));
            labels.Add(new LabeledPair(new PairKey(examples[i].MemberId, examples[i].JobId), scores, overall, name));
        }
        return labels;
    }

    private static float[] ApplyLogits(MatchModel model, List<MatchExample> examples)
    {
        var logits = MatchScorer.Predict(model, examples);
        return Enumerable.Range(0, examples.Count).Select(i => logits[(i * model.Layout.Width) + model.Layout.ApplyColumn]).ToArray();
    }
}
