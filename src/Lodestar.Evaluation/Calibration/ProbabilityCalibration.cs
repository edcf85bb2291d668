// Calibration of a binary scorer: temperature scaling (Guo et al. 2017) and Platt scaling (Platt 1999)
// fitted on validation logits by minimizing log loss, plus ROC AUC, the reliability curve and ECE.
namespace Lodestar.Evaluation.Calibration;

/// <summary>p = σ(Scale·logit + Bias); temperature scaling is Scale = 1/T, Bias = 0.</summary>
public sealed record LogitCalibration(string Method, double Scale, double Bias)
{
    public static LogitCalibration Identity { get; } = new("none", 1, 0);

    public double Probability(double logit) => 1.0 / (1.0 + Math.Exp(-((Scale * logit) + Bias)));
}

/// <summary>One bin of a reliability diagram: mean predicted probability against the observed rate.</summary>
public sealed record ReliabilityBin(double Lower, double Upper, int Count, double MeanPredicted, double ObservedRate);

public sealed record ReliabilityCurve(IReadOnlyList<ReliabilityBin> Bins, double ExpectedCalibrationError);

public static class ProbabilityCalibration
{
    /// <summary>Mean negative log-likelihood of labels under σ(scale·logit + bias).</summary>
    public static double LogLoss(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, double scale, double bias)
    {
        double total = 0;
        for (var i = 0; i < logits.Length; i++)
        {
            var z = (scale * logits[i]) + bias;
            // −log σ(z) = softplus(−z); −log(1−σ(z)) = softplus(z).
            total += labels[i] == 1 ? Softplus(-z) : Softplus(z);
        }
        return total / Math.Max(logits.Length, 1);
    }

    /// <summary>The temperature T minimizing validation log loss, by golden-section search on log T in [e^−3, e^3].</summary>
    public static LogitCalibration FitTemperature(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels)
    {
        Require(logits, labels);
        double lo = -3, hi = 3;
        var ratio = (Math.Sqrt(5) - 1) / 2;
        for (var iteration = 0; iteration < 80; iteration++)
        {
            var a = hi - (ratio * (hi - lo));
            var b = lo + (ratio * (hi - lo));
            if (LogLoss(logits, labels, Math.Exp(-a), 0) < LogLoss(logits, labels, Math.Exp(-b), 0))
            {
                hi = b;
            }
            else
            {
                lo = a;
            }
        }
        return new LogitCalibration("temperature", Math.Exp(-(lo + hi) / 2), 0);
    }

    /// <summary>Platt scaling: (a, b) minimizing log loss of σ(a·logit + b), by Newton's method on the convex 2-parameter problem.</summary>
    public static LogitCalibration FitPlatt(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels)
    {
        Require(logits, labels);
        double a = 1, b = 0;
        for (var iteration = 0; iteration < 50; iteration++)
        {
            double ga = 0, gb = 0, haa = 1e-9, hab = 0, hbb = 1e-9;
            for (var i = 0; i < logits.Length; i++)
            {
                var x = (double)logits[i];
                var p = 1.0 / (1.0 + Math.Exp(-((a * x) + b)));
                var r = p - labels[i];
                var w = p * (1 - p);
                ga += r * x;
                gb += r;
                haa += w * x * x;
                hab += w * x;
                hbb += w;
            }
            var det = (haa * hbb) - (hab * hab);
            if (det <= 0)
            {
                break;
            }
            var da = ((hbb * ga) - (hab * gb)) / det;
            var db = ((haa * gb) - (hab * ga)) / det;
            // Damped Newton: halve the step until the log loss does not increase (pure Newton overshoots on saturated logits).
            var current = LogLoss(logits, labels, a, b);
            var step = 1.0;
            while (step > 1e-6 && LogLoss(logits, labels, a - (step * da), b - (step * db)) > current)
            {
                step /= 2;
            }
            a -= step * da;
            b -= step * db;
            if (step * (Math.Abs(da) + Math.Abs(db)) < 1e-10)
            {
                break;
            }
        }
        return new LogitCalibration("platt", a, b);
    }

    /// <summary>Equal-width bins over [0,1]; ECE = Σ_b (n_b/N)·|mean predicted_b − observed rate_b| (Naeini et al. 2015).</summary>
    public static ReliabilityCurve Reliability(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, int bins = 10)
    {
        if (probabilities.Length != labels.Length || probabilities.Length == 0 || bins < 1)
        {
            throw new ArgumentException($"reliability: {probabilities.Length} probabilities, {labels.Length} labels, {bins} bins");
        }
        var count = new int[bins];
        var predicted = new double[bins];
        var positive = new double[bins];
        for (var i = 0; i < probabilities.Length; i++)
        {
            var bin = Math.Clamp((int)(probabilities[i] * bins), 0, bins - 1);
            count[bin]++;
            predicted[bin] += probabilities[i];
            positive[bin] += labels[i];
        }
        var result = new List<ReliabilityBin>(bins);
        double ece = 0;
        for (var b = 0; b < bins; b++)
        {
            var meanPredicted = count[b] == 0 ? 0 : predicted[b] / count[b];
            var rate = count[b] == 0 ? 0 : positive[b] / count[b];
            result.Add(new ReliabilityBin((double)b / bins, (double)(b + 1) / bins, count[b], meanPredicted, rate));
            ece += (double)count[b] / probabilities.Length * Math.Abs(meanPredicted - rate);
        }
        return new ReliabilityCurve(result, ece);
    }

    /// <summary>ROC AUC as the probability a random positive outscores a random negative (ties count half), via ranks.</summary>
    public static double Auc(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels)
    {
        var order = Enumerable.Range(0, scores.Length).ToArray();
        var copy = scores.ToArray();
        Array.Sort(order, (x, y) => copy[x].CompareTo(copy[y]));
        double rankSumPositive = 0;
        long positives = 0;
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && copy[order[j + 1]] == copy[order[i]])
            {
                j++;
            }
            var averageRank = ((i + j) / 2.0) + 1;
            for (var k = i; k <= j; k++)
            {
                if (labels[order[k]] == 1)
                {
                    rankSumPositive += averageRank;
                    positives++;
                }
            }
            i = j + 1;
        }
        var negatives = order.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            throw new ArgumentException($"AUC needs both classes: {positives} positives, {negatives} negatives");
        }
        return (rankSumPositive - (positives * (positives + 1) / 2.0)) / (positives * (double)negatives);
    }

    private static double Softplus(double z) => z > 30 ? z : Math.Log(1 + Math.Exp(z));

    private static void Require(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels)
    {
        if (logits.Length != labels.Length || logits.Length == 0)
        {
            throw new ArgumentException($"calibration needs as many labels as logits and at least one: {logits.Length} logits, {labels.Length} labels");
        }
    }
}
