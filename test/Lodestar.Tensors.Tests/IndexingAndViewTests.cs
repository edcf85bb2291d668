// Gradient checks of gather/scatter, pooling, views (reshape, transpose, slice), concatenation, the
// fused losses and dropout; plus the semantics views must keep (shared storage, strided copies).
using Lodestar.TestSupport;
namespace Lodestar.Tensors.Tests;

public sealed class IndexingAndViewTests
{
    [Fact]
    public void EmbeddingTouchesOnlyLookedUpRowsAndMatchesFiniteDifferences()
    {
        int[] ids = [3, 1, 3, 0];
        GradCheck.Check((g, t) => g.Embedding(t[0], ids, 2, 2), [(GradCheck.Random(5 * 3, 1), [5, 3])]);
        var graph = new Graph();
        var table = graph.Constant(GradCheck.Random(15, 2), [5, 3], requiresGrad: true);
        graph.Backward(graph.Sum(graph.Embedding(table, ids, 2, 2)));
        Assert.Equal([1f, 1, 1, 1, 1, 1, 0, 0, 0, 2, 2, 2, 0, 0, 0], table.Grad.ToArray());
    }

    [Fact]
    public void ScatterAndGatherMatchFiniteDifferences()
    {
        GradCheck.Check((g, t) => g.ScatterAdd(t[0], [2, 0, 2], 4), [(GradCheck.Random(3 * 2, 3), [3, 2])]);
        GradCheck.Check((g, t) => g.GatherColumns(t[0], [1, 0, 3]), [(GradCheck.Random(3 * 4, 4), [3, 4])]);
        GradCheck.Check((g, t) => g.IndexSelect(t[0], [1, 1, 0]), [(GradCheck.Random(2 * 4, 5), [2, 4])]);
    }

    [Fact]
    public void OutOfRangeIndexNamesThePosition()
    {
        var graph = new Graph();
        var table = graph.Constant(new float[6], [3, 2]);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => graph.IndexSelect(table, [0, 3]));
        Assert.Contains("position 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PoolingMatchesFiniteDifferences()
    {
        var x = (GradCheck.Random(2 * 3 * 4, 6), new[] { 2, 3, 4 });
        GradCheck.Check((g, t) => g.MaskedMeanPool(t[0], [1, 1, 0, 1, 0, 0]), [x]);
        GradCheck.Check((g, t) => g.MaskedMeanPool(t[0]), [x]);
        GradCheck.Check((g, t) => g.SelectTokens(t[0], [2, 0]), [x]);
    }

    [Fact]
    public void ViewsAndConcatMatchFiniteDifferences()
    {
        var x = (GradCheck.Random(2 * 3 * 4, 7), new[] { 2, 3, 4 });
        GradCheck.Check((g, t) => g.Mul(g.Reshape(t[0], 6, -1), g.Reshape(t[0], 6, 4)), [x]);
        GradCheck.Check((g, t) => g.Contiguous(g.Transpose(t[0], 0, 2)), [x]);
        GradCheck.Check((g, t) => g.Square(g.Slice(g.Transpose(t[0], 1, 2), 1, 1, 2)), [x]);
        GradCheck.Check((g, t) => g.Concat(t[0], g.Scale(t[1], 2f), 1), [x, (GradCheck.Random(2 * 2 * 4, 8), [2, 2, 4])]);
        GradCheck.Check((g, t) => g.Concat(t[0], t[1], 2), [x, (GradCheck.Random(2 * 3 * 1, 9), [2, 3, 1])]);
    }

    [Fact]
    public void SliceSharesStorageAndTransposeCopiesInRowMajorOrder()
    {
        var graph = new Graph(recordGradients: false);
        var x = graph.Constant([0, 1, 2, 3, 4, 5], [2, 3]);
        var row = graph.Slice(x, 0, 1, 1);
        Assert.True(row.IsContiguous);
        Assert.Equal([3f, 4, 5], row.Data.ToArray());
        x.Data[4] = 40;
        Assert.Equal(40f, row.Data[1]);
        var transposed = graph.Transpose(x, 0, 1);
        Assert.False(transposed.IsContiguous);
        Assert.Equal([0f, 3, 1, 40, 2, 5], graph.Contiguous(transposed).Data.ToArray());
        Assert.Throws<InvalidOperationException>(() => transposed.Data.ToArray());
    }

    [Fact]
    public void CrossEntropyMatchesFiniteDifferencesAndPyTorchSemantics()
    {
        var logits = (GradCheck.Random(4 * 5, 10, scale: 2f), new[] { 4, 5 });
        GradCheck.Check((g, t) => g.CrossEntropy(t[0], [1, 4, 0, 2]), [logits]);
        GradCheck.Check((g, t) => g.CrossEntropy(t[0], [1, -100, 0, 2], labelSmoothing: 0.1f), [logits]);

        // Uniform logits: −log(1/K) whatever the label and smoothing.
        var graph = new Graph(recordGradients: false);
        var uniform = graph.Constant(new float[10], [2, 5]);
        Assert.Equal(Math.Log(5), graph.CrossEntropy(uniform, [0, 3], 0.2f).Data[0], 5);
        Assert.Equal(0f, graph.CrossEntropy(uniform, [-100, -100]).Data[0]);
    }

    [Fact]
    public void BinaryCrossEntropyMatchesFiniteDifferencesAndTheDefinition()
    {
        float[] targets = [1, 0, 1, 0.25f, 0, 1];
        float[] weights = [1, 2, 0.5f, 1, 3, 1];
        GradCheck.Check((g, t) => g.BceWithLogits(t[0], t[1], t[2]),
            [(GradCheck.Random(6, 11, scale: 3f), [6]), (targets, [6]), (weights, [6])], checkedInputs: [0]);
        var graph = new Graph(recordGradients: false);
        var loss = graph.BceWithLogits(graph.Constant([2f], [1]), graph.Constant([1f], [1])).Data[0];
        Assert.Equal(-Math.Log(1 / (1 + Math.Exp(-2))), loss, 5);
    }

    [Fact]
    public void DropoutIsSeededScaledAndMatchesFiniteDifferences()
    {
        GradCheck.Check((g, t) => g.Dropout(t[0], 0.3f, 42), [(GradCheck.Random(64, 12), [64])]);
        var graph = new Graph(recordGradients: false);
        var ones = graph.Constant(Enumerable.Repeat(1f, 10000).ToArray(), [10000]);
        var a = graph.Dropout(ones, 0.25f, 7).Data.ToArray();
        var b = graph.Dropout(ones, 0.25f, 7).Data.ToArray();
        var c = graph.Dropout(ones, 0.25f, 8).Data.ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.All(a, v => Assert.True(v == 0f || Math.Abs(v - (1 / 0.75f)) < 1e-6));
        Assert.InRange(a.Count(v => v == 0f), 2300, 2700);
    }

    [Fact]
    public void ArenaResetReusesMemoryWithoutNewAllocations()
    {
        var graph = new Graph();
        var w = Tensor.FromValues(GradCheck.Random(64 * 64, 13), [64, 64], requiresGrad: true);
        var input = GradCheck.Random(8 * 64, 14);
        void Step()
        {
            graph.Reset();
            var x = graph.Constant(input, [8, 64]);
            graph.Backward(graph.Sum(graph.Gelu(graph.Linear(x, w, null))));
        }
        SteadyStateAllocation.AssertNone(Step);
    }
}
