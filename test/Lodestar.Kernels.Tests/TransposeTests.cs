// Transpose against its scalar twin on odd and block-aligned shapes (edges, single rows and columns,
// shapes big enough to run on the thread pool) and at misaligned offsets, plus its argument checks.
namespace Lodestar.Kernels.Tests;

public class TransposeTests
{
    [Theory]
    [InlineData(1, 1, 0)]
    [InlineData(1, 37, 1)]
    [InlineData(37, 1, 2)]
    [InlineData(8, 8, 0)]
    [InlineData(9, 17, 3)]
    [InlineData(64, 65, 1)]
    [InlineData(130, 96, 0)]
    [InlineData(513, 200, 5)]
    public void MatchesScalarTwin(int rows, int cols, int offset)
    {
        var source = OpsTestData.Uniform(rows * 31 + cols, (rows * cols) + offset);
        var (fast, slow) = (new float[(rows * cols) + offset], new float[(rows * cols) + offset]);
        Transpose.Matrix(source.AsSpan(offset), rows, cols, fast.AsSpan(offset));
        TransposeReference.Matrix(source.AsSpan(offset), rows, cols, slow.AsSpan(offset));
        Assert.Equal(slow, fast);
    }

    [Theory]
    [InlineData(1, 1, 0)]
    [InlineData(37, 1, 2)]
    [InlineData(9, 17, 3)]
    [InlineData(64, 65, 1)]
    [InlineData(513, 200, 5)]
    public void WithColumnSumsMatchesScalarTwinBitForBit(int rows, int cols, int offset)
    {
        var source = OpsTestData.Uniform(rows * 17 + cols, (rows * cols) + offset);
        var (fast, slow) = (new float[(rows * cols) + offset], new float[(rows * cols) + offset]);
        var sums = OpsTestData.Uniform(cols + 3, cols + offset);
        var slowSums = (float[])sums.Clone();
        Transpose.MatrixWithColumnSums(source.AsSpan(offset), rows, cols, fast.AsSpan(offset), sums.AsSpan(offset));
        TransposeReference.MatrixWithColumnSums(source.AsSpan(offset), rows, cols, slow.AsSpan(offset), slowSums.AsSpan(offset));
        Assert.Equal(slow, fast);
        Assert.Equal(slowSums, sums);
    }

    [Fact]
    public void WrongLengthsNameTheArgument()
    {
        var error = Assert.Throws<ArgumentException>(() => Transpose.Matrix(new float[6], 2, 3, new float[5]));
        Assert.Equal("destination", error.ParamName);
        Assert.Throws<ArgumentException>(() => Transpose.Matrix(new float[5], 2, 3, new float[6]));
    }
}
