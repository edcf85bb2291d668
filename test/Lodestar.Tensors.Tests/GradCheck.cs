// Finite-difference gradient checker: compares backward's gradients with central differences of a
// random projection of the output, and checks that a second backward doubles the gradients.
namespace Lodestar.Tensors.Tests;

internal static class GradCheck
{
    // Central differences with eps = 1e-2 on O(1) float inputs: truncation error ~eps²·f'''/6 ≈ 2e-5 and
    // float rounding of the output ~1e-7·√N/eps ≈ 1e-4 for N ≤ 1000, so 1e-3 + 1e-2·|g| has a wide margin
    // while still catching any wrong term of a local derivative.
    private const double Eps = 1e-2;
    private const double AbsoluteTolerance = 1e-3;
    private const double RelativeTolerance = 1e-2;

    /// <summary>Random values in [-scale, scale] with |x| ≥ minMagnitude (keeps kinks like ReLU's away).</summary>
    public static float[] Random(int count, int seed, float scale = 1f, float minMagnitude = 0f)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            float v;
            do
            {
                v = (float)((random.NextDouble() * 2) - 1) * scale;
            }
            while (MathF.Abs(v) < minMagnitude);
            values[i] = v;
        }
        return values;
    }

    public static float[] Positive(int count, int seed) => Random(count, seed).Select(v => 0.5f + MathF.Abs(v)).ToArray();

    /// <summary>Checks d(Σ r·build(inputs))/d(inputs) for the inputs whose index is in checked (all when null).</summary>
    public static void Check(Func<Graph, Tensor[], Tensor> build, (float[] Values, int[] Shape)[] inputs, int[]? checkedInputs = null)
    {
        checkedInputs ??= Enumerable.Range(0, inputs.Length).ToArray();
        var graph = new Graph();
        var tensors = inputs.Select((input, i) => graph.Constant(input.Values, input.Shape, requiresGrad: checkedInputs.Contains(i))).ToArray();
        var output = build(graph, tensors);
        var projection = Random(output.Length, 1234);
        graph.Backward(output, projection);
        var analytic = tensors.Select(t => t.RequiresGrad ? t.Grad.ToArray() : []).ToArray();
        graph.Backward(output, projection);
        foreach (var i in checkedInputs)
        {
            var twice = tensors[i].Grad.ToArray();
            for (var j = 0; j < twice.Length; j++)
            {
                Assert.True(Math.Abs(twice[j] - (2 * analytic[i][j])) <= 1e-5 * (1 + Math.Abs(twice[j])),
                    $"second backward of input {i}[{j}] gave {twice[j]}, expected {2 * analytic[i][j]}");
            }
        }

        var values = inputs.Select(input => input.Values.ToArray()).ToArray();
        foreach (var i in checkedInputs)
        {
            for (var j = 0; j < values[i].Length; j++)
            {
                var original = values[i][j];
                values[i][j] = (float)(original + Eps);
                var plus = Evaluate(build, values, inputs, projection);
                values[i][j] = (float)(original - Eps);
                var minus = Evaluate(build, values, inputs, projection);
                values[i][j] = original;
                var numeric = (plus - minus) / (2 * Eps);
                var actual = analytic[i][j];
                Assert.True(Math.Abs(actual - numeric) <= AbsoluteTolerance + (RelativeTolerance * Math.Abs(numeric)),
                    $"gradient of input {i}[{j}]: backward {actual}, finite difference {numeric}");
            }
        }
    }

    private static double Evaluate(Func<Graph, Tensor[], Tensor> build, float[][] values, (float[] Values, int[] Shape)[] inputs, float[] projection)
    {
        var graph = new Graph(recordGradients: false);
        var tensors = values.Select((v, i) => graph.Constant(v, inputs[i].Shape)).ToArray();
        var output = graph.Contiguous(build(graph, tensors)).Data;
        double sum = 0;
        for (var i = 0; i < output.Length; i++)
        {
            sum += (double)projection[i] * output[i];
        }
        return sum;
    }
}
