// HSTU-style relative-bias attention: with a zero bias it equals the engine's fused causal attention, its
// input and parameter gradients match central finite differences, and the bias acts per (head, distance).
using Lodestar.Core;
using Lodestar.Kernels;
using Lodestar.Models.SasRec;
using Lodestar.Nn;
using Lodestar.Tensors;

namespace Lodestar.Models.Tests;

public sealed class RelativeBiasAttentionTests
{
    // Central differences in float with the output projected in double: eps = 3e-3 keeps the truncation error
    // of the softmax's curvature (weights std ~0.3) well under 1%, float rounding of the output adds ~1e-4.
    private const double Eps = 3e-3;
    private const double AbsoluteTolerance = 2e-3;
    private const double RelativeTolerance = 2e-2;

    private const int Channels = 8, Heads = 2, Batch = 2, Tokens = 5;

    private static float[] Input(int seed)
    {
        var random = new SeededRandom((ulong)seed);
        var x = new float[Batch * Tokens * Channels];
        random.FillNormal(x, 1f);
        return x;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ZeroBiasEqualsTheFusedCausalAttention(bool rotary)
    {
        // Both modules draw qkv then proj from the same seeded stream, so their weights are identical.
        var fused = new MultiHeadAttention(Channels, Heads, rotary, new SeededRandom(3));
        var biased = new RelativeBiasAttention(Channels, Heads, maxLength: 8, rotary, new SeededRandom(3));
        var graph = new Graph(recordGradients: false);
        var x = graph.Constant(Input(1), [Batch, Tokens, Channels]);
        var expected = fused.Forward(graph, x, AttentionMask.CausalOnly).Data.ToArray();
        var actual = biased.Forward(graph, x).Data.ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 5);
        }
    }

    [Fact]
    public void AnInputChangeAtALaterPositionLeavesEarlierOutputsAlone()
    {
        var attention = Perturbed(new RelativeBiasAttention(Channels, Heads, maxLength: 8, rotary: false, new SeededRandom(4)), 5);
        var x = Input(2);
        var graph = new Graph(recordGradients: false);
        var before = attention.Forward(graph, graph.Constant(x, [Batch, Tokens, Channels])).Data.ToArray();
        x[(3 * Channels) + 1] += 1f; // batch 0, position 3
        var after = attention.Forward(graph, graph.Constant(x, [Batch, Tokens, Channels])).Data.ToArray();
        for (var i = 0; i < 3 * Channels; i++)
        {
            Assert.Equal(before[i], after[i], 6);
        }
        Assert.NotEqual(before[(3 * Channels) + 1], after[(3 * Channels) + 1]);
    }

    [Fact]
    public void ALargeBiasAtDistanceZeroMakesEachPositionAttendToItself()
    {
        // With bias[h, 0] = 50 every head puts all weight on its own position: the output is proj(v_i),
        // which the same module computes for a one-token sequence of x_i.
        var attention = new RelativeBiasAttention(Channels, Heads, maxLength: 8, rotary: false, new SeededRandom(6));
        for (var h = 0; h < Heads; h++)
        {
            attention.RelativeBias.Data[h * attention.Buckets] = 50f;
        }
        var x = Input(3);
        var graph = new Graph(recordGradients: false);
        var all = attention.Forward(graph, graph.Constant(x, [Batch, Tokens, Channels])).Data.ToArray();
        for (var t = 0; t < Tokens; t++)
        {
            var single = attention.Forward(graph, graph.Constant(x.AsSpan(t * Channels, Channels), [1, 1, Channels])).Data.ToArray();
            for (var c = 0; c < Channels; c++)
            {
                Assert.Equal(single[c], all[(t * Channels) + c], 5);
            }
        }
    }

    [Fact]
    public void BucketsAreExactNearAndGeometricFar()
    {
        for (var d = 0; d < RelativeBiasAttention.ExactDistances; d++)
        {
            Assert.Equal(d, RelativeBiasAttention.Bucket(d));
        }
        Assert.Equal([16, 20, 23, 27, 32, 39, 46, 54, 64], Enumerable.Range(16, 49).Where(d => RelativeBiasAttention.Bucket(d) != RelativeBiasAttention.Bucket(d - 1)).ToArray());
        // T = 50: distances 0..49 use 16 exact buckets and 7 geometric ones.
        Assert.Equal(23, new RelativeBiasAttention(Channels, Heads, maxLength: 50, rotary: false, new SeededRandom(1)).Buckets);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GradientsMatchFiniteDifferences(bool rotary)
    {
        var attention = Perturbed(new RelativeBiasAttention(Channels, Heads, maxLength: 6, rotary, new SeededRandom(7)), 8);
        var x = Input(4);
        var projection = Enumerable.Range(0, x.Length).Select(i => (float)Math.Sin(i + 1)).ToArray();

        var graph = new Graph();
        var input = graph.Constant(x, [Batch, Tokens, Channels], requiresGrad: true);
        var output = attention.Forward(graph, input);
        graph.Backward(output, projection);
        var analytic = attention.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Grad.ToArray());
        analytic["x"] = input.Grad.ToArray();

        // A second backward adds the same gradients again.
        graph.Backward(output, projection);
        foreach (var (name, parameter) in attention.NamedParameters())
        {
            var twice = parameter.Grad.ToArray();
            for (var i = 0; i < twice.Length; i++)
            {
                Assert.True(Math.Abs(twice[i] - (2 * analytic[name][i])) <= 1e-5 * (1 + Math.Abs(twice[i])), $"{name}[{i}] did not accumulate");
            }
        }

        var evaluation = new Graph(recordGradients: false);
        double Evaluate()
        {
            evaluation.Reset();
            var y = evaluation.Contiguous(attention.Forward(evaluation, evaluation.Constant(x, [Batch, Tokens, Channels]))).Data;
            double sum = 0;
            for (var i = 0; i < y.Length; i++)
            {
                sum += (double)projection[i] * y[i];
            }
            return sum;
        }
        foreach (var (name, parameter) in attention.NamedParameters())
        {
            CheckAgainstDifferences(name, parameter.Data, analytic[name], Evaluate);
        }
        CheckAgainstDifferences("x", x, analytic["x"], Evaluate);
        // Every bias bucket the 5-token layout reaches (distances 0..4) got a gradient.
        Assert.All(Enumerable.Range(0, Heads).SelectMany(h => Enumerable.Range(0, Tokens).Select(d => analytic["rel_bias"][(h * attention.Buckets) + d])),
            g => Assert.NotEqual(0f, g));
    }

    private static void CheckAgainstDifferences(string name, Span<float> values, float[] analytic, Func<double> evaluate)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var original = values[i];
            values[i] = (float)(original + Eps);
            var plus = evaluate();
            values[i] = (float)(original - Eps);
            var minus = evaluate();
            values[i] = original;
            var numeric = (plus - minus) / (2 * Eps);
            Assert.True(Math.Abs(analytic[i] - numeric) <= AbsoluteTolerance + (RelativeTolerance * Math.Abs(numeric)),
                $"{name}[{i}]: backward {analytic[i]}, finite difference {numeric}");
        }
    }

    /// <summary>Adds N(0, 0.3²) to every weight (and bias table entry) so every path carries visible signal.</summary>
    private static RelativeBiasAttention Perturbed(RelativeBiasAttention attention, int seed)
    {
        var random = new SeededRandom((ulong)seed);
        foreach (var (_, parameter) in attention.NamedParameters())
        {
            var values = parameter.Data;
            for (var i = 0; i < values.Length; i++)
            {
                values[i] += (float)(random.NextGaussian() * 0.3);
            }
        }
        return attention;
    }
}
