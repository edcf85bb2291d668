// The proxy probe against values known in closed form: a feature that is the attribute plus unit Gaussian noise
// (classes one standard deviation apart) has AUC Φ(1/√2) ≈ 0.760; features independent of the attribute give an
// interval around 0.5; the Hanley–McNeil interval matches a hand computation.
using Lodestar.Core;
using Lodestar.Evaluation.Fairness;

namespace Lodestar.Evaluation.Tests.Fairness;

public class ProxyProbeTests
{
    [Fact]
    public void TheHanleyMcNeilIntervalMatchesTheHandComputation()
    {
        // A = 0.8, 50 and 50: Q1 = 0.8 / 1.2, Q2 = 1.28 / 1.8, variance = (0.16 + 49(Q1 − 0.64) + 49(Q2 − 0.64)) / 2500.
        var (low, high) = ProxyProbe.HanleyMcNeil(0.8, 50, 50);
        Assert.Equal(0.712777, low, 5);
        Assert.Equal(0.887223, high, 5);
    }

    [Fact]
    public void ANoisyCopyOfTheAttributeIsFoundAtItsTheoreticalAuc()
    {
        var (rows, labels) = Members(4000, dimension: 5, seed: 1, signal: 1.0);
        var result = ProxyProbe.Measure(rows, 5, labels, seed: 7);
        Assert.InRange(result.Auc, 0.735, 0.785);
        Assert.True(result.Low > 0.5, $"interval [{result.Low}, {result.High}] should exclude chance");
        Assert.Equal(labels.Sum() / 2, result.Positives);
    }

    [Fact]
    public void FeaturesIndependentOfTheAttributeGiveAnIntervalAroundChance()
    {
        var (rows, labels) = Members(4000, dimension: 20, seed: 2, signal: 0.0);
        var result = ProxyProbe.Measure(rows, 20, labels, seed: 7);
        Assert.True(result.Low < 0.5 && result.High > 0.5, $"AUC {result.Auc} [{result.Low}, {result.High}]");
        Assert.Equal(result, ProxyProbe.Measure(rows, 20, labels, seed: 7));
    }

    [Fact]
    public void BadInputIsRefused()
    {
        Assert.Contains("each class", Assert.Throws<ArgumentException>(() => ProxyProbe.Measure(new float[8], 2, [1, 1, 1, 1], 1)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ProxyProbe.Measure(new float[7], 2, [0, 1, 0, 1], 1));
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => ProxyProbe.Measure([0, 1, float.NaN, 2, 0, 1, 1, 1], 2, [0, 1, 0, 1], 1)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ProxyProbe.Measure(new float[8], 2, [0, 2, 0, 1], 1));
    }

    /// <summary>N members, label ~ Bernoulli(0.3); feature 0 is signal·label + N(0, 1), the rest N(0, 1).</summary>
    private static (float[] Rows, int[] Labels) Members(int n, int dimension, int seed, double signal)
    {
        var random = new SeededRandom((ulong)seed);
        var labels = new int[n];
        var rows = new float[n * dimension];
        for (var i = 0; i < n; i++)
        {
            labels[i] = random.NextDouble() < 0.3 ? 1 : 0;
            for (var j = 0; j < dimension; j++)
            {
                rows[(i * dimension) + j] = (float)(random.NextGaussian() + (j == 0 ? signal * labels[i] : 0));
            }
        }
        return (rows, labels);
    }
}
