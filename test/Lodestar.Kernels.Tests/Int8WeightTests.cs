// A linear layer's int8 weight: its product is the float product of the dequantized operands (per-channel weights,
// inputs by a calibrated range or per row), close to the float32 product, and a calibrated range saturates.
namespace Lodestar.Kernels.Tests;

public class Int8WeightTests
{
    private const int Rows = 37, In = 70, Out = 29;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheProductIsTheDequantizedOperandsProductAndNearTheFloatOne(bool calibrated)
    {
        var x = OpsTestData.Uniform(1, Rows * In, 3f);
        var w = OpsTestData.Uniform(2, Out * In, 0.2f);
        var observer = new Int8RangeObserver();
        observer.Observe(x);
        var weight = new Int8Weight(w, Out, In, calibrated ? observer.Range : null);
        var y = new float[Rows * Out];
        weight.Multiply(Rows, x, y);

        // The same product in float from the codes: x̂ = s·(q − z) per row (one s, z for a calibrated range), ŵ = scale·code.
        var dequantized = new float[Rows * In];
        for (var r = 0; r < Rows; r++)
        {
            var row = x.AsSpan(r * In, In);
            var (scale, zero) = (calibrated ? observer.Range : new Int8ActivationRange(Min(row), Max(row))).ScaleAndZero();
            for (var p = 0; p < In; p++)
            {
                var code = Math.Clamp((int)MathF.Round(row[p] / scale) + zero, 0, 255);
                dequantized[(r * In) + p] = scale * (code - zero);
            }
        }
        double worst = 0, norm = 0, error = 0;
        for (var r = 0; r < Rows; r++)
        {
            for (var j = 0; j < Out; j++)
            {
                double exact = 0, reference = 0;
                for (var p = 0; p < In; p++)
                {
                    exact += dequantized[(r * In) + p] * weight.Scales[j] * weight.Values[(j * In) + p];
                    reference += x[(r * In) + p] * w[(j * In) + p];
                }
                var got = y[(r * Out) + j];
                worst = Math.Max(worst, Math.Abs(got - exact));
                error += (got - reference) * (got - reference);
                norm += reference * reference;
            }
        }
        Assert.True(worst < 1e-4, $"largest difference from the dequantized product {worst}");
        Assert.True(Math.Sqrt(error / norm) < 0.02, $"relative error against float32 {Math.Sqrt(error / norm):F4}");
    }

    [Fact]
    public void ACalibratedRangeSaturatesInputsBeyondIt()
    {
        var w = OpsTestData.Uniform(3, Out * In, 0.2f);
        var weight = new Int8Weight(w, Out, In, new Int8ActivationRange(-1f, 1f));
        var over = Enumerable.Repeat(5f, In).ToArray();
        var farOver = Enumerable.Repeat(50f, In).ToArray();
        var (a, b) = (new float[Out], new float[Out]);
        weight.Multiply(1, over, a);
        weight.Multiply(1, farOver, b);
        Assert.Equal(a, b);
        // Inside the range an input keeps its own step (the top of the range may round one step below the last code).
        var half = Enumerable.Repeat(0.5f, In).ToArray();
        var c = new float[Out];
        weight.Multiply(1, half, c);
        Assert.NotEqual(a, c);
        Assert.Throws<InvalidOperationException>(() => new Int8RangeObserver().Range);

        // However far beyond the range (past what an int holds once scaled), a value takes the last code; NaN the first.
        var codes = new byte[4];
        Int8Quantize.ToU8([1e30f, -1e30f, float.NaN, 0f], codes, 2f / 255, 128);
        Assert.Equal([255, 0, 0, 128], codes);
    }

    [Fact]
    public void ABf16WeightMultipliesByTheRoundedWeights()
    {
        var x = OpsTestData.Uniform(4, Rows * In, 3f);
        var w = OpsTestData.Uniform(5, Out * In, 0.2f);
        var weight = new Bf16Weight(w, Out, In);
        var y = new float[Rows * Out];
        weight.Multiply(Rows, x, y);
        for (var r = 0; r < Rows; r++)
        {
            for (var j = 0; j < Out; j++)
            {
                double exact = 0;
                for (var p = 0; p < In; p++)
                {
                    exact += x[(r * In) + p] * Bf16.ToFloat(Bf16.FromFloat(w[(j * In) + p]));
                }
                Assert.True(Math.Abs(y[(r * Out) + j] - exact) < 1e-4, $"({r},{j}): {y[(r * Out) + j]} against {exact}");
            }
        }
        Assert.Equal("bf16", weight.Kind);
    }

    private static float Min(ReadOnlySpan<float> values)
    {
        var min = float.PositiveInfinity;
        foreach (var v in values)
        {
            min = Math.Min(min, v);
        }
        return min;
    }

    private static float Max(ReadOnlySpan<float> values)
    {
        var max = float.NegativeInfinity;
        foreach (var v in values)
        {
            max = Math.Max(max, v);
        }
        return max;
    }
}
