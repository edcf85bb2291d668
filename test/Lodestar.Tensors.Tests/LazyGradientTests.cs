// Intermediate gradients are zeroed lazily and the first writer may overwrite them (Graph.GradForOverwrite):
// an intermediate feeding several ops, on the row count that takes the transpose + bias path, and the profiler.
namespace Lodestar.Tensors.Tests;

public class LazyGradientTests
{
    [Fact]
    public void IntermediateFeedingTwoLinearsMatchesFiniteDifferences()
    {
        // 70 rows ≥ the 64 from which Linear's weight gradient transposes dPre and sums the bias in that pass.
        const int rows = 70;
        GradCheck.Check((g, t) =>
            {
                var h = g.Linear(t[0], t[1], t[2]);
                return g.Add(g.Linear(h, t[3], t[4], LinearActivation.Gelu), g.Linear(h, t[5], null));
            },
            [(GradCheck.Random(rows * 5, 1), [rows, 5]), (GradCheck.Random(6 * 5, 2), [6, 5]), (GradCheck.Random(6, 3), [6]),
                (GradCheck.Random(4 * 6, 4), [4, 6]), (GradCheck.Random(4, 5), [4]), (GradCheck.Random(4 * 6, 6), [4, 6])]);
    }

    [Fact]
    public void UntouchedIntermediateGradientReadsAsZero()
    {
        var graph = new Graph();
        var x = graph.Constant(GradCheck.Random(8, 1), [2, 4], requiresGrad: true);
        var w = graph.Constant(GradCheck.Random(12, 2), [3, 4], requiresGrad: true);
        var unused = graph.Linear(x, w, null); // on the tape, but the loss does not depend on it
        var loss = graph.Sum(graph.Linear(x, w, null));
        graph.Backward(loss);
        Assert.All(unused.Grad.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void ProfileRecordsOpsAndGemmShapesOnlyWhenCurrent()
    {
        var graph = new Graph();
        var x = graph.Constant(GradCheck.Random(8, 1), [2, 4], requiresGrad: true);
        var w = graph.Constant(GradCheck.Random(12, 2), [3, 4], requiresGrad: true);
        var profile = new OpProfile();
        OpProfile.Current = profile;
        try
        {
            profile.BeginForward();
            graph.Backward(graph.Sum(graph.Linear(x, w, null)));
        }
        finally
        {
            OpProfile.Current = null;
        }
        var rows = profile.Rows();
        Assert.Contains(rows, r => r.Section == "forward" && r.Name == "Linear" && r.Calls == 1);
        Assert.Contains(rows, r => r.Section == "backward" && r.Name == "Linear" && r.Calls == 1);
        Assert.Contains(rows, r => r.Section == "gemm" && r.Name == "nt 2x3x4" && r.Flops == 2 * 2 * 3 * 4);
        profile.Clear();
        graph.Reset();
        var x2 = graph.Constant(GradCheck.Random(8, 1), [2, 4], requiresGrad: true);
        graph.Backward(graph.Sum(graph.Linear(x2, graph.Constant(GradCheck.Random(12, 2), [3, 4], requiresGrad: true), null)));
        Assert.Empty(profile.Rows());
    }
}
