// Hot paths do not allocate: every kernel of the ops work is called warm and the bytes allocated on the
// calling thread must be zero on every measured call (bar one runtime tier-up, see SteadyStateAllocation).
using Lodestar.TestSupport;
namespace Lodestar.Kernels.Tests;

public class NoAllocationTests
{
    [Fact]
    public void WarmKernelCallsAllocateNothing()
    {
        const int rows = 4, cols = 67;
        var (x, y, dy, dx) = (OpsTestData.Uniform(1, rows * cols), new float[rows * cols], OpsTestData.Uniform(2, rows * cols), new float[rows * cols]);
        var (gamma, beta, dg, db) = (OpsTestData.Uniform(3, cols), OpsTestData.Uniform(4, cols), new float[cols], new float[cols]);
        var (mean, rstd) = (new float[rows], new float[rows]);
        var mask = OpsTestData.Uniform(5, cols);
        var allowed = Enumerable.Range(0, cols).Select(i => i % 3 != 0).ToArray();
        int[] indices = [3, 1, 3, 0];
        var (m, v) = (new float[rows * cols], new float[rows * cols]);
        var settings = new AdamWSettings();
        void RunAll()
        {
            Elementwise.Add(x, dy, y);
            Elementwise.Multiply(x, dy, y);
            Elementwise.Scale(x, 2f, y);
            Elementwise.Axpy(0.5f, x, y);
            Elementwise.AddBiasRows(y, beta, rows, cols);
            Elementwise.AddBiasRowsBackward(dy, db, rows, cols);
            _ = Reductions.Sum(x) + Reductions.Max(x) + Reductions.Mean(x) + Reductions.L2Norm(x) + Reductions.Dot(x, dy);
            Softmax.Forward(x, y, rows, cols, mask, allowed);
            Softmax.Backward(y, dy, dx, rows, cols);
            Softmax.LogForward(x, y, rows, cols);
            Softmax.LogBackward(y, dy, dx, rows, cols);
            LayerNorm.Forward(x, gamma, beta, y, mean, rstd, rows, cols);
            LayerNorm.Backward(dy, x, gamma, mean, rstd, dx, dg, db, rows, cols);
            RmsNorm.Forward(x, gamma, y, rstd, rows, cols);
            RmsNorm.Backward(dy, x, gamma, rstd, dx, dg, rows, cols);
            Gelu.ForwardTanh(x, y);
            Gelu.BackwardTanh(x, dy, dx);
            Gelu.ForwardErf(x, y);
            Gelu.BackwardErf(x, dy, dx);
            Silu.Forward(x, y);
            Silu.Backward(x, dy, dx);
            Embedding.Forward(x, indices, y.AsSpan(0, 4 * cols), rows, cols);
            Embedding.Backward(dy, indices, dx, rows, cols);
            AdamW.Step(y, dy, m, v, settings, 1);
        }
        SteadyStateAllocation.AssertNone(RunAll);
    }

    [Fact]
    public void TheSteadyStateCheckCatchesAnOperationThatAllocatesOnEveryCall()
    {
        object? kept = null;
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => SteadyStateAllocation.AssertNone(() => kept = new float[16]));
        Assert.NotNull(kept);
    }

    [Fact]
    public void TheSteadyStateCheckCatchesAnOperationThatAllocatesOnEveryOtherCall()
    {
        var calls = 0;
        object? kept = null;
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => SteadyStateAllocation.AssertNone(() =>
        {
            if (calls++ % 2 == 0)
            {
                kept = new float[16];
            }
        }));
        Assert.NotNull(kept);
    }
}
