// Gradient checks of the broadcasting binary ops, scaling, pointwise functions and reductions,
// plus the inference-mode and requires-grad rules of the tape.
namespace Lodestar.Tensors.Tests;

public sealed class ElementwiseGradientTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void BinaryOpsSameShapeMatchFiniteDifferences(int kind)
    {
        var b = kind == 3 ? GradCheck.Positive(12, 2) : GradCheck.Random(12, 2);
        GradCheck.Check((g, x) => kind switch
        {
            0 => g.Add(x[0], x[1]),
            1 => g.Sub(x[0], x[1]),
            2 => g.Mul(x[0], x[1]),
            _ => g.Div(x[0], x[1]),
        }, [(GradCheck.Random(12, 1), [3, 4]), (b, [3, 4])]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(3)]
    public void BinaryOpsBroadcastTrailingAndLeadingAxes(int kind)
    {
        // (2,3,4) ∘ (3,4) repeats b as whole tiles; (2,3,4) ∘ (2,1,4) repeats along a middle axis.
        foreach (var bShape in new[] { new[] { 3, 4 }, [2, 1, 4], [4], [1] })
        {
            var count = bShape.Aggregate(1, (p, d) => p * d);
            var b = kind == 3 ? GradCheck.Positive(count, 4) : GradCheck.Random(count, 4);
            GradCheck.Check((g, x) => kind switch
            {
                0 => g.Add(x[0], x[1]),
                2 => g.Mul(x[0], x[1]),
                _ => g.Div(x[0], x[1]),
            }, [(GradCheck.Random(24, 3), [2, 3, 4]), (b, bShape)]);
        }
    }

    [Fact]
    public void BroadcastAddMatchesExplicitRepetition()
    {
        var graph = new Graph(recordGradients: false);
        var a = graph.Constant([1, 2, 3, 4, 5, 6], [2, 3]);
        var b = graph.Constant([10, 20], [2, 1]);
        Assert.Equal([11f, 12, 13, 24, 25, 26], graph.Add(a, b).Data.ToArray());
    }

    [Theory]
    [InlineData(UnaryKind.Exp)]
    [InlineData(UnaryKind.Log)]
    [InlineData(UnaryKind.Negate)]
    [InlineData(UnaryKind.Sigmoid)]
    [InlineData(UnaryKind.Tanh)]
    [InlineData(UnaryKind.Relu)]
    [InlineData(UnaryKind.Gelu)]
    [InlineData(UnaryKind.Silu)]
    [InlineData(UnaryKind.Square)]
    [InlineData(UnaryKind.Sqrt)]
    [InlineData(UnaryKind.GeluErf)]
    public void PointwiseFunctionsMatchFiniteDifferences(UnaryKind kind)
    {
        var positiveOnly = kind is UnaryKind.Log or UnaryKind.Sqrt;
        var values = positiveOnly ? GradCheck.Positive(300, 5) : GradCheck.Random(300, 5, scale: 3f, minMagnitude: 0.05f);
        GradCheck.Check((g, x) => g.Unary(kind, x[0]), [(values, [300])]);
    }

    [Fact]
    public void GeluMatchesTheTanhFormula()
    {
        var graph = new Graph(recordGradients: false);
        var x = GradCheck.Random(257, 6, scale: 4f);
        var y = graph.Gelu(graph.Constant(x, [257])).Data;
        for (var i = 0; i < x.Length; i++)
        {
            var v = (double)x[i];
            var expected = 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + (0.044715 * v * v * v))));
            Assert.Equal(expected, y[i], 1e-5);
        }
    }

    [Fact]
    public void ScaleAndReductionsMatchFiniteDifferences()
    {
        var x = (GradCheck.Random(24, 7), new[] { 2, 3, 4 });
        GradCheck.Check((g, t) => g.Scale(t[0], -1.5f, 0.25f), [x]);
        GradCheck.Check((g, t) => g.Sum(t[0]), [x]);
        GradCheck.Check((g, t) => g.Mean(t[0]), [x]);
        GradCheck.Check((g, t) => g.SumLastDim(t[0]), [x]);
        GradCheck.Check((g, t) => g.MeanLastDim(t[0]), [x]);
    }

    [Fact]
    public void SoftmaxAndLogSoftmaxMatchFiniteDifferences()
    {
        var x = (GradCheck.Random(30, 8, scale: 2f), new[] { 5, 6 });
        GradCheck.Check((g, t) => g.Softmax(t[0]), [x]);
        GradCheck.Check((g, t) => g.LogSoftmax(t[0]), [x]);
    }

    [Fact]
    public void InferenceModeRecordsNothingAndHasNoGradients()
    {
        var graph = new Graph(recordGradients: false);
        var a = graph.Constant([1, 2], [2], requiresGrad: true);
        var y = graph.Mul(graph.Exp(a), a);
        Assert.Equal(0, graph.TapeLength);
        Assert.False(y.RequiresGrad);
        Assert.False(y.HasGrad);
    }

    [Fact]
    public void GradientsFlowOnlyIntoTensorsThatRequireThem()
    {
        var graph = new Graph();
        var a = graph.Constant([1, 2], [2], requiresGrad: true);
        var b = graph.Constant([3, 4], [2]);
        graph.Backward(graph.Sum(graph.Mul(a, b)));
        Assert.Equal([3f, 4f], a.Grad.ToArray());
        Assert.False(b.HasGrad);
    }
}
