// GELU (tanh and erf) and SiLU: vector kernels vs scalar twins at every length 0..257, backward vs the
// double-precision reference and central finite differences, and accumulation (two backwards = 2×).
namespace Lodestar.Kernels.Tests;

public class ActivationTests
{
    public delegate void Forward(ReadOnlySpan<float> x, Span<float> y);
    public delegate void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx);
    public delegate void ForwardD(ReadOnlySpan<double> x, Span<double> y);
    public delegate void BackwardD(ReadOnlySpan<double> x, ReadOnlySpan<double> dy, Span<double> dx);

    private static (Forward, Backward, Forward, Backward, ForwardD, BackwardD) Kernels(string name) => name switch
    {
        "gelu_tanh" => (Gelu.ForwardTanh, Gelu.BackwardTanh, ActivationsReference.GeluTanhForward, ActivationsReference.GeluTanhBackward,
            ActivationsReference.GeluTanhForward, ActivationsReference.GeluTanhBackward),
        "gelu_erf" => (Gelu.ForwardErf, Gelu.BackwardErf, ActivationsReference.GeluErfForward, ActivationsReference.GeluErfBackward,
            ActivationsReference.GeluErfForward, ActivationsReference.GeluErfBackward),
        "silu" => (Silu.Forward, Silu.Backward, ActivationsReference.SiluForward, ActivationsReference.SiluBackward,
            ActivationsReference.SiluForward, ActivationsReference.SiluBackward),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [InlineData("gelu_tanh")]
    [InlineData("gelu_erf")]
    [InlineData("silu")]
    public void MatchesScalarTwinAtEveryLengthAndOffset(string name)
    {
        var (forward, backward, forwardRef, backwardRef, _, _) = Kernels(name);
        foreach (var (n, offset) in OpsTestData.LengthsAndOffsets())
        {
            var x = OpsTestData.Uniform(n, n + offset, 6f).AsSpan(offset);
            var dy = OpsTestData.Uniform(n + 1, n + offset).AsSpan(offset);
            var (y, yRef) = (new float[n], new float[n]);
            forward(x, y);
            forwardRef(x, yRef);
            OpsTestData.AssertClose(yRef, y, 1e-6f, 1e-5f, $"{name} y n={n}");
            var (dx, dxRef) = (OpsTestData.Uniform(3, n), OpsTestData.Uniform(3, n));
            backward(x, dy, dx);
            backwardRef(x, dy, dxRef);
            OpsTestData.AssertClose(dxRef, dx, 1e-6f, 1e-5f, $"{name} dx n={n}");
        }
    }

    [Fact]
    public void GeluTanhBackwardOverwriteMatchesScalarTwinWhateverDxHeld()
    {
        foreach (var (n, offset) in OpsTestData.LengthsAndOffsets())
        {
            var x = OpsTestData.Uniform(n, n + offset, 6f).AsSpan(offset);
            var dy = OpsTestData.Uniform(n + 1, n + offset).AsSpan(offset);
            var dx = Enumerable.Repeat(float.NaN, n).ToArray();
            var dxRef = new float[n];
            Gelu.BackwardTanhOverwrite(x, dy, dx);
            ActivationsReference.GeluTanhBackward<float>(x, dy, dxRef);
            OpsTestData.AssertClose(dxRef, dx, 1e-6f, 1e-5f, $"gelu_tanh overwrite dx n={n}");
        }
    }

    [Theory]
    [InlineData("gelu_tanh")]
    [InlineData("gelu_erf")]
    [InlineData("silu")]
    public void BackwardMatchesFiniteDifferencesAndAccumulates(string name)
    {
        var (_, backward, _, _, forwardD, backwardD) = Kernels(name);
        const int n = 41;
        var x = OpsTestData.ToDouble(OpsTestData.Uniform(11, n, 5f));
        var w = OpsTestData.ToDouble(OpsTestData.Uniform(12, n));
        var numeric = OpsTestData.NumericGradient(v => { var y = new double[n]; forwardD(v, y); return OpsTestData.Weighted(y, w); }, x);
        var analytic = new double[n];
        backwardD(x, w, analytic);
        OpsTestData.AssertClose(numeric, analytic, 1e-7, 1e-6, $"{name} finite differences");

        var xf = x.Select(v => (float)v).ToArray();
        var wf = w.Select(v => (float)v).ToArray();
        var dx = new float[n];
        backward(xf, wf, dx);
        OpsTestData.AssertClose(analytic.Select(v => (float)v).ToArray(), dx, 1e-5f, 1e-4f, $"{name} fast vs double");
        var once = (float[])dx.Clone();
        backward(xf, wf, dx);
        OpsTestData.AssertClose(once.Select(v => 2 * v).ToArray(), dx, 1e-6f, 1e-6f, $"{name} twice");
    }

    [Fact]
    public void ExtremeInputsStayFinite()
    {
        float[] x = [-1000f, -90f, -20f, 0f, 20f, 90f, 1000f, -1000f, -90f, -20f, 0f, 20f, 90f, 1000f, 1f, -1f, 3f];
        foreach (var name in new[] { "gelu_tanh", "gelu_erf", "silu" })
        {
            var (forward, backward, forwardRef, _, _, _) = Kernels(name);
            var (y, yRef, dx) = (new float[x.Length], new float[x.Length], new float[x.Length]);
            forward(x, y);
            forwardRef(x, yRef);
            backward(x, Enumerable.Repeat(1f, x.Length).ToArray(), dx);
            OpsTestData.AssertClose(yRef, y, 1e-5f, 1e-5f, name);
            Assert.All(dx, v => Assert.True(float.IsFinite(v), $"{name}: {v}"));
        }
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(-2.5, -0.9995930479825550)]
    [InlineData(3.5, 0.9999992569016276)]
    [InlineData(6.0, 0.9999999999999999785)]
    public void ReferenceErfMatchesTabulatedValues(double x, double expected) =>
        Assert.Equal(expected, SpecialFunctions.Erf(x), 1e-14);
}
