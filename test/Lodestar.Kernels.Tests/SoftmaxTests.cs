// Row softmax and log-softmax: vector kernel vs scalar twin over random shapes and masks (additive,
// boolean, per-row or shared), fully masked rows giving zeros, and gradients vs finite differences.
namespace Lodestar.Kernels.Tests;

public class SoftmaxTests
{
    [Theory]
    [InlineData(1, 1, false)]
    [InlineData(3, 7, false)]
    [InlineData(5, 16, true)]
    [InlineData(4, 33, false)]
    [InlineData(2, 130, true)]
    [InlineData(6, 257, false)]
    public void ForwardAndBackwardMatchReference(int rows, int cols, bool log)
    {
        var x = OpsTestData.Uniform(rows * 31 + cols, rows * cols, 8f);
        var additive = OpsTestData.Uniform(5, cols, 2f);
        var random = new Random(cols);
        var allowed = Enumerable.Range(0, rows * cols).Select(_ => random.NextDouble() < 0.8).ToArray();
        var dy = OpsTestData.Uniform(6, rows * cols);
        foreach (var (mask, keep) in new[] { (Array.Empty<float>(), Array.Empty<bool>()), (additive, Array.Empty<bool>()), (Array.Empty<float>(), allowed), (additive, allowed) })
        {
            var (y, yRef) = (new float[rows * cols], new float[rows * cols]);
            if (log) Softmax.LogForward(x, y, rows, cols, mask, keep);
            else Softmax.Forward(x, y, rows, cols, mask, keep);
            SoftmaxReference.Forward<float>(x, yRef, rows, cols, mask, keep, log);
            OpsTestData.AssertClose(yRef, y, 1e-6f, 1e-5f, "y");
            var (dx, dxRef) = (OpsTestData.Uniform(7, rows * cols), OpsTestData.Uniform(7, rows * cols));
            if (log) Softmax.LogBackward(y, dy, dx, rows, cols);
            else Softmax.Backward(y, dy, dx, rows, cols);
            SoftmaxReference.Backward<float>(yRef, dy, dxRef, rows, cols, log);
            OpsTestData.AssertClose(dxRef, dx, 1e-5f, 1e-4f, "dx");
        }
    }

    [Fact]
    public void FullyMaskedRowsGiveZerosNotNaN()
    {
        var x = OpsTestData.Uniform(1, 3 * 20);
        var allowed = new bool[3 * 20];
        allowed.AsSpan(20, 20).Fill(true);
        var y = new float[60];
        Softmax.Forward(x, y, 3, 20, allowed: allowed);
        Assert.All(y.AsSpan(0, 20).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(y.AsSpan(40, 20).ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal(1f, y.AsSpan(20, 20).ToArray().Sum(), 1e-5f);
        var additive = Enumerable.Repeat(float.NegativeInfinity, 20).ToArray();
        Softmax.Forward(x, y, 3, 20, additive);
        Assert.All(y, v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BackwardMatchesFiniteDifferencesAndAccumulates(bool log)
    {
        const int rows = 3, cols = 9;
        var x = OpsTestData.ToDouble(OpsTestData.Uniform(8, rows * cols, 3f));
        var w = OpsTestData.ToDouble(OpsTestData.Uniform(9, rows * cols));
        double Loss(double[] v)
        {
            var y = new double[rows * cols];
            SoftmaxReference.Forward<double>(v, y, rows, cols, log: log);
            return OpsTestData.Weighted(y, w);
        }
        var numeric = OpsTestData.NumericGradient(Loss, x);
        var yD = new double[rows * cols];
        SoftmaxReference.Forward<double>(x, yD, rows, cols, log: log);
        var analytic = new double[rows * cols];
        SoftmaxReference.Backward<double>(yD, w, analytic, rows, cols, log);
        OpsTestData.AssertClose(numeric, analytic, 1e-7, 1e-6, "finite differences");

        var (xf, wf) = (x.Select(v => (float)v).ToArray(), w.Select(v => (float)v).ToArray());
        var y = new float[rows * cols];
        var dx = new float[rows * cols];
        if (log) { Softmax.LogForward(xf, y, rows, cols); Softmax.LogBackward(y, wf, dx, rows, cols); }
        else { Softmax.Forward(xf, y, rows, cols); Softmax.Backward(y, wf, dx, rows, cols); }
        OpsTestData.AssertClose(analytic.Select(v => (float)v).ToArray(), dx, 1e-5f, 1e-4f, "fast vs double");
        var once = (float[])dx.Clone();
        if (log) Softmax.LogBackward(y, wf, dx, rows, cols);
        else Softmax.Backward(y, wf, dx, rows, cols);
        OpsTestData.AssertClose(once.Select(v => 2 * v).ToArray(), dx, 1e-6f, 1e-6f, "twice");
    }

    [Fact]
    public void BadMaskLengthIsNamed()
    {
        var error = Assert.Throws<ArgumentException>(() => Softmax.Forward(new float[12], new float[12], 3, 4, new float[5]));
        Assert.Contains("additiveMask has 5", error.Message, StringComparison.Ordinal);
    }
}
