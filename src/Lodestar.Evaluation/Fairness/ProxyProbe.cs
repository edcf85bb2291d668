// How well a member's representation (a model's embedding, or its scores) predicts a protected attribute it was never
// given: a ridge logistic regression probe fitted on a seeded half of the members and scored by ROC AUC on the other
// half, with the Hanley & McNeil (1982) 95% interval. AUC 0.5 means the representation carries nothing about the
// attribute; a model that learned a proxy shows above it.
using Lodestar.Core;
using Lodestar.Evaluation.Calibration;

namespace Lodestar.Evaluation.Fairness;

/// <summary>The probe's held-out AUC, its 95% interval and the held-out class sizes it was measured on.</summary>
public sealed record ProbeResult(double Auc, double Low, double High, int Positives, int Negatives);

public static class ProxyProbe
{
    private const int MaxNewtonSteps = 30;

    private const double Z95 = 1.959964;

    /// <summary>
    /// The held-out probe of <paramref name="labels"/> (1: has the attribute) from <paramref name="rows"/> (N·D,
    /// row-major). <paramref name="ridge"/> is the L2 penalty on the standardised weights (the intercept is free).
    /// </summary>
    public static ProbeResult Measure(ReadOnlySpan<float> rows, int dimension, ReadOnlySpan<int> labels, ulong seed, double ridge = 1.0)
    {
        var n = labels.Length;
        if (dimension < 1 || rows.Length != n * dimension)
        {
            throw new ArgumentException($"a probe needs N·D values: {rows.Length} values for {n} labels of dimension {dimension}");
        }
        if (!(ridge > 0))
        {
            throw new ArgumentException($"ridge: {ridge}; must be > 0");
        }
        var positives = 0;
        foreach (var label in labels)
        {
            if (label is not (0 or 1))
            {
                throw new ArgumentException($"probe labels are 0 or 1, got {label}");
            }
            positives += label;
        }
        if (positives < 2 || n - positives < 2)
        {
            throw new ArgumentException($"a probe needs at least two members of each class: {positives} positives, {n - positives} negatives");
        }
        foreach (var value in rows)
        {
            if (!float.IsFinite(value))
            {
                throw new ArgumentException($"a probe's inputs must be finite, found {value}");
            }
        }

        var x = rows.ToArray();
        var y = labels.ToArray();
        // Two halves, each class split evenly so neither half lacks one.
        var fold = new int[n];
        var random = new SeededRandom(seed);
        foreach (var cls in new[] { 0, 1 })
        {
            var members = Enumerable.Range(0, n).Where(i => y[i] == cls).ToArray();
            random.Shuffle<int>(members);
            for (var j = 0; j < members.Length; j++)
            {
                fold[members[j]] = j % 2;
            }
        }
        // The probe is fitted on one half and scored on the other only. Scoring both halves (cross-fitting) uses every
        // member, but the two halves' AUCs then move together (each probe is fitted on the other's labels) and spread
        // wider than any interval computed from them; on the held-out half the interval holds as stated.
        var train = Enumerable.Range(0, n).Where(i => fold[i] == 0).ToArray();
        var test = Enumerable.Range(0, n).Where(i => fold[i] == 1).ToArray();
        var (mean, scale) = Standardisation(x, dimension, train);
        var weights = Fit(x, y, dimension, train, mean, scale, ridge);
        var predicted = test.Select(i => Logit(x, i, dimension, mean, scale, weights)).ToArray();
        var heldLabels = test.Select(i => y[i]).ToArray();
        var heldPositives = heldLabels.Sum();
        var auc = ProbabilityCalibration.Auc(predicted, heldLabels);
        var (low, high) = HanleyMcNeil(auc, heldPositives, heldLabels.Length - heldPositives);
        return new ProbeResult(auc, low, high, heldPositives, heldLabels.Length - heldPositives);
    }

    /// <summary>The 95% normal interval of an AUC from its class sizes (Hanley & McNeil 1982), clipped to [0, 1].</summary>
    public static (double Low, double High) HanleyMcNeil(double auc, int positives, int negatives)
    {
        var half = Z95 * Math.Sqrt(HanleyMcNeilVariance(auc, positives, negatives));
        return (Math.Max(0, auc - half), Math.Min(1, auc + half));
    }

    private static double HanleyMcNeilVariance(double auc, int positives, int negatives)
    {
        var q1 = auc / (2 - auc);
        var q2 = 2 * auc * auc / (1 + auc);
        var variance = ((auc * (1 - auc)) + ((positives - 1) * (q1 - (auc * auc))) + ((negatives - 1) * (q2 - (auc * auc)))) / ((double)positives * negatives);
        return Math.Max(0, variance);
    }

    private static (double[] Mean, double[] Scale) Standardisation(float[] x, int d, int[] rows)
    {
        var mean = new double[d];
        var scale = new double[d];
        foreach (var i in rows)
        {
            for (var j = 0; j < d; j++)
            {
                mean[j] += x[(i * d) + j];
            }
        }
        for (var j = 0; j < d; j++)
        {
            mean[j] /= rows.Length;
        }
        foreach (var i in rows)
        {
            for (var j = 0; j < d; j++)
            {
                var centred = x[(i * d) + j] - mean[j];
                scale[j] += centred * centred;
            }
        }
        for (var j = 0; j < d; j++)
        {
            var sd = Math.Sqrt(scale[j] / rows.Length);
            // A constant column carries nothing; a unit scale keeps it at zero instead of dividing by zero.
            scale[j] = sd > 1e-12 ? sd : 1;
        }
        return (mean, scale);
    }

    /// <summary>Ridge logistic regression by Newton's method: weights[0..D) on standardised inputs, weights[D] the intercept.</summary>
    private static double[] Fit(float[] x, int[] y, int d, int[] rows, double[] mean, double[] scale, double ridge)
    {
        var p = d + 1;
        var weights = new double[p];
        var z = new double[p];
        var gradient = new double[p];
        var hessian = new double[p * p];
        for (var step = 0; step < MaxNewtonSteps; step++)
        {
            Array.Clear(gradient);
            Array.Clear(hessian);
            foreach (var i in rows)
            {
                for (var j = 0; j < d; j++)
                {
                    z[j] = (x[(i * d) + j] - mean[j]) / scale[j];
                }
                z[d] = 1;
                double logit = 0;
                for (var j = 0; j < p; j++)
                {
                    logit += weights[j] * z[j];
                }
                var probability = 1 / (1 + Math.Exp(-logit));
                var residual = y[i] - probability;
                var curvature = probability * (1 - probability);
                for (var j = 0; j < p; j++)
                {
                    gradient[j] += residual * z[j];
                    var row = j * p;
                    var cz = curvature * z[j];
                    for (var k = 0; k <= j; k++)
                    {
                        hessian[row + k] += cz * z[k];
                    }
                }
            }
            for (var j = 0; j < d; j++)
            {
                gradient[j] -= ridge * weights[j];
                hessian[(j * p) + j] += ridge;
            }
            // A tiny floor on the intercept's curvature keeps the system positive definite when every probability saturates.
            hessian[(d * p) + d] += 1e-9;
            var delta = CholeskySolve(hessian, gradient, p);
            double largest = 0;
            for (var j = 0; j < p; j++)
            {
                weights[j] += delta[j];
                largest = Math.Max(largest, Math.Abs(delta[j]));
            }
            if (largest < 1e-8)
            {
                break;
            }
        }
        return weights;
    }

    private static double Logit(float[] x, int i, int d, double[] mean, double[] scale, double[] weights)
    {
        var logit = weights[d];
        for (var j = 0; j < d; j++)
        {
            logit += weights[j] * (x[(i * d) + j] - mean[j]) / scale[j];
        }
        return logit;
    }

    /// <summary>Solves A·v = b for a symmetric positive definite A given by its lower triangle (row-major p·p).</summary>
    private static double[] CholeskySolve(double[] a, double[] b, int p)
    {
        var l = new double[p * p];
        for (var i = 0; i < p; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = a[(i * p) + j];
                for (var k = 0; k < j; k++)
                {
                    sum -= l[(i * p) + k] * l[(j * p) + k];
                }
                if (i == j)
                {
                    if (!(sum > 0))
                    {
                        throw new InvalidOperationException($"the probe's Newton system is not positive definite at column {i}");
                    }
                    l[(i * p) + i] = Math.Sqrt(sum);
                }
                else
                {
                    l[(i * p) + j] = sum / l[(j * p) + j];
                }
            }
        }
        var v = new double[p];
        for (var i = 0; i < p; i++)
        {
            var sum = b[i];
            for (var k = 0; k < i; k++)
            {
                sum -= l[(i * p) + k] * v[k];
            }
            v[i] = sum / l[(i * p) + i];
        }
        for (var i = p - 1; i >= 0; i--)
        {
            var sum = v[i];
            for (var k = i + 1; k < p; k++)
            {
                sum -= l[(k * p) + i] * v[k];
            }
            v[i] = sum / l[(i * p) + i];
        }
        return v;
    }
}
