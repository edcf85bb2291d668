// Embedding lookup: gather rows of a (V,C) table by token index, and the backward scatter-add into the
// table's gradient, where repeated indices accumulate (each occurrence adds its row).
namespace Lodestar.Kernels;

public static class Embedding
{
    /// <summary>output (N,C) row n = table (V,C) row indices[n]; every index must lie in [0,V).</summary>
    public static void Forward(ReadOnlySpan<float> table, ReadOnlySpan<int> indices, Span<float> output, int vocabulary, int cols)
    {
        Validate(table.Length, indices, output.Length, vocabulary, cols);
        for (int n = 0; n < indices.Length; n++)
        {
            table.Slice(indices[n] * cols, cols).CopyTo(output.Slice(n * cols, cols));
        }
    }

    /// <summary>dTable (V,C) row indices[n] += dOutput (N,C) row n, for every n.</summary>
    public static void Backward(ReadOnlySpan<float> dOutput, ReadOnlySpan<int> indices, Span<float> dTable, int vocabulary, int cols)
    {
        Validate(dTable.Length, indices, dOutput.Length, vocabulary, cols);
        for (int n = 0; n < indices.Length; n++)
        {
            Elementwise.Axpy(1f, dOutput.Slice(n * cols, cols), dTable.Slice(indices[n] * cols, cols));
        }
    }

    private static void Validate(int tableLength, ReadOnlySpan<int> indices, int rowsLength, int vocabulary, int cols)
    {
        if (vocabulary < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(vocabulary), $"embedding: V={vocabulary} and C={cols} must be ≥ 0");
        SimdLoops.RequireLength(tableLength, vocabulary * cols, "table");
        SimdLoops.RequireLength(rowsLength, indices.Length * cols, "output");
        for (int n = 0; n < indices.Length; n++)
        {
            if ((uint)indices[n] >= (uint)vocabulary)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"embedding: indices[{n}]={indices[n]} is outside [0,{vocabulary})");
            }
        }
    }
}
