// Training losses built on the graph's ops: cross-entropy, sampled softmax with logQ correction,
// BCE with logits, MSE, temperature-softened KL distillation and InfoNCE with extra negatives.
using Lodestar.Tensors;

namespace Lodestar.Nn;

public static class Losses
{
    /// <summary>What masks a logit out of a softmax: e^(−1e9) is 0 in float, and unlike −∞ it keeps every sum the
    /// cross-entropy forms finite (−∞ · 0 is NaN).</summary>
    public const float ExcludedLogit = -1e9f;

    [ThreadStatic]
    private static int[]? t_iota;

    /// <summary>logits (N,K), labels (N); PyTorch F.cross_entropy with label_smoothing and ignore_index.</summary>
    public static Tensor CrossEntropy(Graph graph, Tensor logits, int[] labels, float labelSmoothing = 0f, int ignoreIndex = -100) =>
        graph.CrossEntropy(logits, labels, labelSmoothing, ignoreIndex);

    /// <summary>
    /// Sampled softmax over a large vocabulary (Jean et al. 2015; logQ correction as in Yi et al. 2019,
    /// "Sampling-bias-corrected neural modeling"): queries (N,C), item table (V,C), positives (N) and S
    /// shared sampled negatives with their sampling log-probabilities. Each logit is q·e − log Q(item);
    /// a negative equal to the row's positive is masked out (an "accidental hit").
    /// </summary>
    public static Tensor SampledSoftmax(Graph graph, Tensor queries, Tensor itemTable, int[] positives, int[] negatives,
        ReadOnlySpan<float> positiveLogQ, ReadOnlySpan<float> negativeLogQ)
    {
        var n = positives.Length;
        var s = negatives.Length;
        if (positiveLogQ.Length != n || negativeLogQ.Length != s)
        {
            throw new ArgumentException($"sampled softmax: {positiveLogQ.Length} positive and {negativeLogQ.Length} negative logQ values for {n} positives and {s} negatives");
        }
        var positiveLogits = graph.SumLastDim(graph.Mul(queries, graph.IndexSelect(itemTable, positives)));   // (N)
        var negativeLogits = graph.MatMul(queries, graph.IndexSelect(itemTable, negatives), transposeB: true); // (N,S)
        // Correction and accidental-hit mask as one constant (N, 1+S) added to the logits.
        var correction = graph.Empty(n, 1 + s).Data;
        for (var i = 0; i < n; i++)
        {
            correction[i * (1 + s)] = -positiveLogQ[i];
            for (var j = 0; j < s; j++)
            {
                correction[(i * (1 + s)) + 1 + j] = negatives[j] == positives[i] ? -1e9f : -negativeLogQ[j];
            }
        }
        var logits = graph.Concat(graph.Reshape(positiveLogits, n, 1), negativeLogits, 1);
        logits = graph.Add(logits, graph.Constant(correction, [n, 1 + s]));
        return graph.CrossEntropy(logits, Zeros(n));
    }

    /// <summary>Mean of w·BCE(σ(logits), targets); weights null means 1.</summary>
    public static Tensor BceWithLogits(Graph graph, Tensor logits, Tensor targets, Tensor? weights = null) =>
        graph.BceWithLogits(logits, targets, weights);

    /// <summary>Mean of (prediction − target)².</summary>
    public static Tensor Mse(Graph graph, Tensor prediction, Tensor target) => graph.Mean(graph.Square(graph.Sub(prediction, target)));

    /// <summary>
    /// Knowledge distillation (Hinton et al. 2015): T²·KL(softmax(teacher/T) ‖ softmax(student/T)), summed over
    /// classes and averaged over the N rows (PyTorch kl_div reduction='batchmean'). The T² keeps gradient
    /// magnitudes comparable across temperatures. Logits are (N,K); gradients flow to whichever requires them.
    /// </summary>
    public static Tensor DistillationKl(Graph graph, Tensor studentLogits, Tensor teacherLogits, float temperature)
    {
        if (temperature <= 0f)
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be positive");
        }
        var rows = studentLogits.Rows;
        var studentLog = graph.LogSoftmax(graph.Scale(studentLogits, 1f / temperature));
        var teacherLog = graph.LogSoftmax(graph.Scale(teacherLogits, 1f / temperature));
        var teacher = graph.Exp(teacherLog);
        var kl = graph.Sum(graph.Mul(teacher, graph.Sub(teacherLog, studentLog)));
        return graph.Scale(kl, temperature * temperature / rows);
    }

    /// <summary>
    /// InfoNCE (van den Oord et al. 2018) with in-batch negatives plus extra ones: queries (N,C), keys (N,C)
    /// where key i is query i's positive, extra negatives (M,C) or null. logits = q·[keys; extra]ᵀ/τ,
    /// loss = cross-entropy with label i for row i. With cosine, every row is L2-normalized first (SimCLR).
    /// </summary>
    public static Tensor InfoNce(Graph graph, Tensor queries, Tensor keys, Tensor? extraNegatives, float temperature, bool cosine = false)
    {
        if (cosine)
        {
            queries = L2Normalize(graph, queries);
            keys = L2Normalize(graph, keys);
            extraNegatives = extraNegatives is null ? null : L2Normalize(graph, extraNegatives);
        }
        if (temperature <= 0f)
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be positive");
        }
        var n = queries.Dim(0);
        if (keys.Dim(0) != n)
        {
            throw new ArgumentException($"InfoNCE: {n} queries but {keys.Dim(0)} keys");
        }
        var candidates = extraNegatives is null ? keys : graph.Concat(keys, extraNegatives, 0);
        var logits = graph.Scale(graph.MatMul(queries, candidates, transposeB: true), 1f / temperature);
        return graph.CrossEntropy(logits, Iota(n));
    }

    /// <summary>
    /// InfoNCE over one candidate set shared by the batch (a dual encoder's in-batch positives and every member's
    /// hard and easy negatives, each post once): queries (N,C), candidates (K,C), labels (N) the column of each
    /// row's positive, and <paramref name="excluded"/> (N·K, row-major) true where a candidate is another positive
    /// of that row's member, so it is masked out rather than pushed away. logits = q·candidatesᵀ/τ, with
    /// <see cref="ExcludedLogit"/> added at excluded entries; loss = cross-entropy on the labels.
    /// </summary>
    public static Tensor InfoNce(Graph graph, Tensor queries, Tensor candidates, int[] labels, ReadOnlySpan<bool> excluded, float temperature)
    {
        if (temperature <= 0f)
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be positive");
        }
        var (n, k) = (queries.Dim(0), candidates.Dim(0));
        if (labels.Length != n || (excluded.Length != 0 && excluded.Length != n * k))
        {
            throw new ArgumentException($"InfoNCE: {n} queries, {labels.Length} labels and {excluded.Length} exclusions for {k} candidates (need {n} and {n * k} or none)");
        }
        return InfoNce(graph, CandidateLogits(graph, queries, candidates, excluded, temperature), labels, excluded);
    }

    /// <summary>
    /// The same loss on logits (N,K) already made by <see cref="CandidateLogits"/>, for a caller that needs them for
    /// another term too: cross-entropy on the labels, each row's positive checked to be in range and not excluded.
    /// </summary>
    public static Tensor InfoNce(Graph graph, Tensor logits, int[] labels, ReadOnlySpan<bool> excluded)
    {
        var k = logits.Dim(1);
        for (var i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)k || (excluded.Length != 0 && excluded[(i * k) + labels[i]]))
            {
                throw new ArgumentException($"InfoNCE: row {i}'s positive (column {labels[i]}) is out of range or excluded");
            }
        }
        return graph.CrossEntropy(logits, labels);
    }

    /// <summary>
    /// The logits of <see cref="InfoNce(Graph, Tensor, Tensor, int[], ReadOnlySpan{bool}, float)"/>: q·candidatesᵀ/τ (N,K) with
    /// <see cref="ExcludedLogit"/> at excluded entries, for a loss that needs them too (distillation from a teacher's).
    /// </summary>
    public static Tensor CandidateLogits(Graph graph, Tensor queries, Tensor candidates, ReadOnlySpan<bool> excluded, float temperature)
    {
        var (n, k) = (queries.Dim(0), candidates.Dim(0));
        var logits = graph.Scale(graph.MatMul(queries, candidates, transposeB: true), 1f / temperature);
        if (!excluded.Contains(true))
        {
            return logits;
        }
        var bias = new float[n * k];
        for (var j = 0; j < bias.Length; j++)
        {
            bias[j] = excluded[j] ? ExcludedLogit : 0f;
        }
        return graph.Add(logits, graph.Constant(bias, [n, k]));
    }

    /// <summary>x (N,C) with each row divided by its L2 norm (plus 1e-12 inside the root, against zero rows).</summary>
    public static Tensor L2Normalize(Graph graph, Tensor x)
    {
        var norms = graph.Sqrt(graph.Scale(graph.SumLastDim(graph.Square(x)), 1f, 1e-12f));
        return graph.Div(x, graph.Reshape(norms, x.Dim(0), 1));
    }

    private static int[] Zeros(int n) => new int[n];

    /// <summary>[0, 1, ..., n−1], cached per thread (a fresh array only when n changes).</summary>
    private static int[] Iota(int n)
    {
        if (t_iota is null || t_iota.Length != n)
        {
            t_iota = Enumerable.Range(0, n).ToArray();
        }
        return t_iota;
    }
}
