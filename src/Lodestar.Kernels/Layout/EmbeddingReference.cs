// Scalar twin of Embedding: element-by-element gather and scatter-add.
// Kept element-wise so duplicate-index accumulation is obviously right.
namespace Lodestar.Kernels;

public static class EmbeddingReference
{
    public static void Forward(ReadOnlySpan<float> table, ReadOnlySpan<int> indices, Span<float> output, int cols)
    {
        for (int n = 0; n < indices.Length; n++)
        {
            for (int c = 0; c < cols; c++) output[n * cols + c] = table[indices[n] * cols + c];
        }
    }

    public static void Backward(ReadOnlySpan<float> dOutput, ReadOnlySpan<int> indices, Span<float> dTable, int cols)
    {
        for (int n = 0; n < indices.Length; n++)
        {
            for (int c = 0; c < cols; c++) dTable[indices[n] * cols + c] += dOutput[n * cols + c];
        }
    }
}
