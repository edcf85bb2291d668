// Scalar twin of Elementwise: plain loops, the definition the vector paths are tested against.
// Kept deliberately naive (no spans tricks, no FMA) so it states the definition and nothing more.
namespace Lodestar.Kernels;

public static class ElementwiseReference
{
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        for (int i = 0; i < x.Length; i++) destination[i] = x[i] + y[i];
    }

    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        for (int i = 0; i < x.Length; i++) destination[i] = x[i] * y[i];
    }

    public static void Scale(ReadOnlySpan<float> x, float alpha, Span<float> destination)
    {
        for (int i = 0; i < x.Length; i++) destination[i] = alpha * x[i];
    }

    public static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] += alpha * x[i];
    }

    public static void AddBiasRows(Span<float> x, ReadOnlySpan<float> bias, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++) x[r * cols + c] += bias[c];
        }
    }

    public static void AddBiasRowsBackward(ReadOnlySpan<float> dOut, Span<float> dBias, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++) dBias[c] += dOut[r * cols + c];
        }
    }
}
