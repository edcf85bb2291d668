// Scalar twin of Reductions, accumulating in double: the value the vector sums are compared with.
// Double accumulation gives the value float sums should approach; tests allow for float rounding.
namespace Lodestar.Kernels;

public static class ReductionsReference
{
    public static double Sum(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x) sum += v;
        return sum;
    }

    public static double Mean(ReadOnlySpan<float> x) => Sum(x) / x.Length;

    public static double SumOfSquares(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x) sum += (double)v * v;
        return sum;
    }

    public static double L2Norm(ReadOnlySpan<float> x) => Math.Sqrt(SumOfSquares(x));

    public static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += (double)x[i] * y[i];
        return sum;
    }

    public static float Max(ReadOnlySpan<float> x)
    {
        float max = float.NegativeInfinity;
        foreach (float v in x) max = MathF.Max(max, v);
        return max;
    }
}
