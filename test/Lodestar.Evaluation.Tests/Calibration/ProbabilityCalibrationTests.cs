// Calibration metrics on hand-computed cases: AUC with ties, ECE per bin, and temperature and Platt
// scaling recovering the parameters that generated the labels.
using Lodestar.Evaluation.Calibration;
using Lodestar.Evaluation.Match;

namespace Lodestar.Evaluation.Tests.Calibration;

public class ProbabilityCalibrationTests
{
    [Fact]
    public void AucCountsOrderedPairsAndHalfTies()
    {
        // Positives {0.35, 0.8} vs negatives {0.1, 0.4}: pairs won 0.35>0.1, 0.8>0.1, 0.8>0.4 → 3/4.
        Assert.Equal(0.75, ProbabilityCalibration.Auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 12);
        // A tie between one positive and one negative counts half: (1 + 0.5) / 2.
        Assert.Equal(0.75, ProbabilityCalibration.Auc([0.2, 0.5, 0.5, 0.9], [0, 0, 1, 1]) - 0.125, 12);
        Assert.Throws<ArgumentException>(() => ProbabilityCalibration.Auc([0.1, 0.2], [1, 1]));
    }

    [Fact]
    public void EceIsTheCountWeightedGapPerBin()
    {
        // Two bins of width 0.5: [0.2, 0.4] with labels {0, 1} → mean 0.3 vs rate 0.5; [0.9, 0.7] with {1, 1} → 0.8 vs 1.
        var curve = ProbabilityCalibration.Reliability([0.2, 0.4, 0.9, 0.7], [0, 1, 1, 1], bins: 2);
        Assert.Equal((0.5 * 0.2) + (0.5 * 0.2), curve.ExpectedCalibrationError, 12);
        Assert.Equal(2, curve.Bins[0].Count);
        Assert.Equal(0.3, curve.Bins[0].MeanPredicted, 12);
        Assert.Equal(1.0, curve.Bins[1].ObservedRate, 12);
    }

    [Fact]
    public void TemperatureAndPlattRecoverTheGeneratingParameters()
    {
        // Labels drawn from σ(logit/2.5): the fitted temperature is near 2.5; with an offset, Platt finds (0.4, −0.7).
        var random = new Random(3);
        var logits = Enumerable.Range(0, 20_000).Select(_ => (float)((random.NextDouble() * 16) - 8)).ToArray();
        var labels = logits.Select(z => random.NextDouble() < 1 / (1 + Math.Exp(-z / 2.5)) ? 1 : 0).ToArray();
        var temperature = ProbabilityCalibration.FitTemperature(logits, labels);
        Assert.InRange(1 / temperature.Scale, 2.3, 2.7);
        var shifted = logits.Select(z => random.NextDouble() < 1 / (1 + Math.Exp(-((0.4 * z) - 0.7))) ? 1 : 0).ToArray();
        var platt = ProbabilityCalibration.FitPlatt(logits, shifted);
        Assert.InRange(platt.Scale, 0.36, 0.44);
        Assert.InRange(platt.Bias, -0.8, -0.6);
        Assert.True(ProbabilityCalibration.LogLoss(logits, shifted, platt.Scale, platt.Bias) < ProbabilityCalibration.LogLoss(logits, shifted, 1, 0));
    }

    [Fact]
    public void GradedNdcgMatchesHandComputation()
    {
        // Ranked by score: relevances 1, 3, 0. DCG = 1/log2(2) + 7/log2(3); ideal 3, 1, 0: 7 + 1/log2(3).
        var ndcg = GradedRanking.Ndcg([0.9, 0.5, 0.1], [1, 3, 0], 10);
        Assert.Equal((1 + (7 / Math.Log2(3))) / (7 + (1 / Math.Log2(3))), ndcg, 12);
        Assert.Equal(1.0, GradedRanking.Ndcg([3, 2, 1], [2, 1, 0], 2), 12);
    }
}
