// Embedding gather and scatter-add: against the scalar twin, duplicate indices accumulating, and a bad
// index reported with its position.
namespace Lodestar.Kernels.Tests;

public class EmbeddingTests
{
    [Theory]
    [InlineData(11, 1, 5)]
    [InlineData(7, 33, 20)]
    [InlineData(50, 64, 3)]
    [InlineData(3, 257, 9)]
    public void GatherAndScatterAddMatchReference(int vocabulary, int cols, int tokens)
    {
        var table = OpsTestData.Uniform(1, vocabulary * cols);
        var random = new Random(2);
        int[] indices = Enumerable.Range(0, tokens).Select(_ => random.Next(vocabulary)).ToArray();
        indices[^1] = indices[0];  // at least one duplicate
        var (output, outputRef) = (new float[tokens * cols], new float[tokens * cols]);
        Embedding.Forward(table, indices, output, vocabulary, cols);
        EmbeddingReference.Forward(table, indices, outputRef, cols);
        Assert.Equal(outputRef, output);

        var dOut = OpsTestData.Uniform(3, tokens * cols);
        var (dTable, dTableRef) = (OpsTestData.Uniform(4, vocabulary * cols), OpsTestData.Uniform(4, vocabulary * cols));
        Embedding.Backward(dOut, indices, dTable, vocabulary, cols);
        EmbeddingReference.Backward(dOut, indices, dTableRef, cols);
        OpsTestData.AssertClose(dTableRef, dTable, 1e-6f, 1e-6f, "dTable");
    }

    [Fact]
    public void DuplicateIndicesAccumulate()
    {
        var dTable = new float[3 * 2];
        Embedding.Backward([1f, 2f, 10f, 20f, 100f, 200f], [2, 0, 2], dTable, 3, 2);
        Assert.Equal([10f, 20f, 0f, 0f, 101f, 202f], dTable);
    }

    [Fact]
    public void OutOfRangeIndexNamesItsPosition()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Embedding.Forward(new float[6], [0, 3], new float[4], 3, 2));
        Assert.Contains("indices[1]=3", error.Message, StringComparison.Ordinal);
    }
}
