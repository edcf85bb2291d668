// Element-wise kernels and reductions against their scalar twins for every length 0..257 at misaligned
// offsets, plus the bias-over-rows pair.
namespace Lodestar.Kernels.Tests;

public class ElementwiseTests
{
    [Fact]
    public void BinaryOpsMatchReferenceAtEveryLengthAndOffset()
    {
        foreach (var (n, offset) in OpsTestData.LengthsAndOffsets())
        {
            var x = OpsTestData.Uniform(n, n + offset, 3f);
            var y = OpsTestData.Uniform(n + 1000, n + offset, 3f);
            var xs = x.AsSpan(offset);
            var ys = y.AsSpan(offset);
            var (fast, slow) = (new float[n + offset], new float[n + offset]);
            Elementwise.Add(xs, ys, fast.AsSpan(offset));
            ElementwiseReference.Add(xs, ys, slow.AsSpan(offset));
            Assert.Equal(slow, fast);
            Elementwise.Multiply(xs, ys, fast.AsSpan(offset));
            ElementwiseReference.Multiply(xs, ys, slow.AsSpan(offset));
            Assert.Equal(slow, fast);
            Elementwise.Scale(xs, -1.7f, fast.AsSpan(offset));
            ElementwiseReference.Scale(xs, -1.7f, slow.AsSpan(offset));
            Assert.Equal(slow, fast);
            Elementwise.Axpy(0.3f, xs, fast.AsSpan(offset));
            ElementwiseReference.Axpy(0.3f, xs, slow.AsSpan(offset));
            OpsTestData.AssertClose(slow, fast, 1e-6f, 1e-6f, $"axpy n={n}");
        }
    }

    [Fact]
    public void ScaleOverwritesNaN()
    {
        var destination = new float[37];
        Array.Fill(destination, float.NaN);
        Elementwise.Scale(OpsTestData.Uniform(1, 37), 2f, destination);
        Assert.All(destination, v => Assert.False(float.IsNaN(v)));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 17)]
    [InlineData(5, 64)]
    [InlineData(7, 131)]
    public void BiasRowsAndItsBackwardMatchReference(int rows, int cols)
    {
        var bias = OpsTestData.Uniform(2, cols);
        var fast = OpsTestData.Uniform(3, rows * cols);
        var slow = (float[])fast.Clone();
        Elementwise.AddBiasRows(fast, bias, rows, cols);
        ElementwiseReference.AddBiasRows(slow, bias, rows, cols);
        Assert.Equal(slow, fast);
        var (dFast, dSlow) = (OpsTestData.Uniform(4, cols), OpsTestData.Uniform(4, cols));
        Elementwise.AddBiasRowsBackward(fast, dFast, rows, cols);
        ElementwiseReference.AddBiasRowsBackward(fast, dSlow, rows, cols);
        OpsTestData.AssertClose(dSlow, dFast, 1e-5f, 1e-5f, "dbias");
    }

    [Fact]
    public void ReductionsMatchDoubleReferenceAtEveryLengthAndOffset()
    {
        foreach (var (n, offset) in OpsTestData.LengthsAndOffsets())
        {
            var x = OpsTestData.Uniform(n + 7, n + offset, 2f).AsSpan(offset);
            var y = OpsTestData.Uniform(n + 9, n + offset, 2f).AsSpan(offset);
            float tolerance = 1e-5f * (n + 1);
            Assert.Equal(ReductionsReference.Sum(x), Reductions.Sum(x), tolerance);
            Assert.Equal(ReductionsReference.SumOfSquares(x), Reductions.SumOfSquares(x), tolerance);
            Assert.Equal(ReductionsReference.L2Norm(x), Reductions.L2Norm(x), tolerance);
            Assert.Equal(ReductionsReference.Dot(x, y), Reductions.Dot(x, y), tolerance);
            Assert.Equal(ReductionsReference.Max(x), Reductions.Max(x));
            if (n > 0)
            {
                Assert.Equal(ReductionsReference.Mean(x), Reductions.Mean(x), 1e-5);
            }
        }
    }

    [Fact]
    public void MismatchedLengthsNameTheArgument()
    {
        var error = Assert.Throws<ArgumentException>(() => Elementwise.Add(new float[5], new float[4], new float[5]));
        Assert.Contains("y", error.ParamName, StringComparison.Ordinal);
    }
}
