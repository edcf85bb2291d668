// Layer norm and RMS norm: vector kernels vs scalar twins over odd shapes, gradients (dx, dgamma, dbeta)
// vs double-precision finite differences, and accumulation.
namespace Lodestar.Kernels.Tests;

public class NormTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(4, 16)]
    [InlineData(5, 33)]
    [InlineData(2, 257)]
    public void LayerNormMatchesReference(int rows, int cols)
    {
        var (x, gamma, beta, dy) = (OpsTestData.Uniform(1, rows * cols, 4f), OpsTestData.Uniform(2, cols), OpsTestData.Uniform(3, cols), OpsTestData.Uniform(4, rows * cols));
        for (int i = 0; i < x.Length; i++) x[i] += 10f;  // a large mean tests the two-pass variance
        var (y, mean, rstd) = (new float[rows * cols], new float[rows], new float[rows]);
        var (yRef, meanRef, rstdRef) = (new float[rows * cols], new float[rows], new float[rows]);
        LayerNorm.Forward(x, gamma, beta, y, mean, rstd, rows, cols);
        NormsReference.LayerNormForward<float>(x, gamma, beta, yRef, meanRef, rstdRef, rows, cols, 1e-5f);
        OpsTestData.AssertClose(yRef, y, 1e-5f, 1e-5f, "y");
        OpsTestData.AssertClose(meanRef, mean, 1e-5f, 1e-6f, "mean");
        OpsTestData.AssertClose(rstdRef, rstd, 1e-5f, 1e-5f, "rstd");
        var (dx, dg, db) = (OpsTestData.Uniform(5, rows * cols), OpsTestData.Uniform(6, cols), OpsTestData.Uniform(7, cols));
        var (dxRef, dgRef, dbRef) = ((float[])dx.Clone(), (float[])dg.Clone(), (float[])db.Clone());
        LayerNorm.Backward(dy, x, gamma, mean, rstd, dx, dg, db, rows, cols);
        NormsReference.LayerNormBackward<float>(dy, x, gamma, meanRef, rstdRef, dxRef, dgRef, dbRef, rows, cols);
        OpsTestData.AssertClose(dxRef, dx, 1e-4f, 1e-4f, "dx");
        OpsTestData.AssertClose(dgRef, dg, 1e-4f, 1e-4f, "dgamma");
        OpsTestData.AssertClose(dbRef, db, 1e-5f, 1e-5f, "dbeta");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(4, 16)]
    [InlineData(5, 33)]
    [InlineData(2, 257)]
    public void RmsNormMatchesReference(int rows, int cols)
    {
        var (x, gamma, dy) = (OpsTestData.Uniform(1, rows * cols, 4f), OpsTestData.Uniform(2, cols), OpsTestData.Uniform(4, rows * cols));
        var (y, rstd, yRef, rstdRef) = (new float[rows * cols], new float[rows], new float[rows * cols], new float[rows]);
        RmsNorm.Forward(x, gamma, y, rstd, rows, cols);
        NormsReference.RmsNormForward<float>(x, gamma, yRef, rstdRef, rows, cols, 1e-6f);
        OpsTestData.AssertClose(yRef, y, 1e-5f, 1e-5f, "y");
        OpsTestData.AssertClose(rstdRef, rstd, 1e-5f, 1e-5f, "rstd");
        var (dx, dg) = (OpsTestData.Uniform(5, rows * cols), OpsTestData.Uniform(6, cols));
        var (dxRef, dgRef) = ((float[])dx.Clone(), (float[])dg.Clone());
        RmsNorm.Backward(dy, x, gamma, rstd, dx, dg, rows, cols);
        NormsReference.RmsNormBackward<float>(dy, x, gamma, rstdRef, dxRef, dgRef, rows, cols);
        OpsTestData.AssertClose(dxRef, dx, 1e-4f, 1e-4f, "dx");
        OpsTestData.AssertClose(dgRef, dg, 1e-4f, 1e-4f, "dgamma");
    }

    [Fact]
    public void LayerNormGradientsMatchFiniteDifferences()
    {
        const int rows = 3, cols = 6;
        var x = OpsTestData.ToDouble(OpsTestData.Uniform(1, rows * cols, 2f));
        var gamma = OpsTestData.ToDouble(OpsTestData.Uniform(2, cols));
        var beta = OpsTestData.ToDouble(OpsTestData.Uniform(3, cols));
        var w = OpsTestData.ToDouble(OpsTestData.Uniform(4, rows * cols));
        double Loss(double[] xv, double[] g, double[] b)
        {
            var y = new double[rows * cols];
            NormsReference.LayerNormForward<double>(xv, g, b, y, new double[rows], new double[rows], rows, cols, 1e-5);
            return OpsTestData.Weighted(y, w);
        }
        var (mean, rstd) = (new double[rows], new double[rows]);
        NormsReference.LayerNormForward<double>(x, gamma, beta, new double[rows * cols], mean, rstd, rows, cols, 1e-5);
        var (dx, dg, db) = (new double[rows * cols], new double[cols], new double[cols]);
        NormsReference.LayerNormBackward<double>(w, x, gamma, mean, rstd, dx, dg, db, rows, cols);
        OpsTestData.AssertClose(OpsTestData.NumericGradient(v => Loss(v, gamma, beta), x), dx, 1e-7, 1e-6, "dx");
        OpsTestData.AssertClose(OpsTestData.NumericGradient(v => Loss(x, v, beta), gamma), dg, 1e-7, 1e-6, "dgamma");
        OpsTestData.AssertClose(OpsTestData.NumericGradient(v => Loss(x, gamma, v), beta), db, 1e-7, 1e-6, "dbeta");

        // The fast kernel agrees with the double gradients and a second backward doubles them.
        var f = (double[] a) => a.Select(v => (float)v).ToArray();
        var (meanF, rstdF) = (new float[rows], new float[rows]);
        LayerNorm.Forward(f(x), f(gamma), f(beta), new float[rows * cols], meanF, rstdF, rows, cols);
        var (dxF, dgF, dbF) = (new float[rows * cols], new float[cols], new float[cols]);
        for (int pass = 1; pass <= 2; pass++)
        {
            LayerNorm.Backward(f(w), f(x), f(gamma), meanF, rstdF, dxF, dgF, dbF, rows, cols);
            OpsTestData.AssertClose(f(dx.Select(v => v * pass).ToArray()), dxF, 1e-5f, 1e-4f, $"fast dx pass {pass}");
            OpsTestData.AssertClose(f(dg.Select(v => v * pass).ToArray()), dgF, 1e-5f, 1e-4f, $"fast dgamma pass {pass}");
            OpsTestData.AssertClose(f(db.Select(v => v * pass).ToArray()), dbF, 1e-5f, 1e-4f, $"fast dbeta pass {pass}");
        }
    }

    [Fact]
    public void RmsNormGradientsMatchFiniteDifferences()
    {
        const int rows = 3, cols = 7;
        var x = OpsTestData.ToDouble(OpsTestData.Uniform(11, rows * cols, 2f));
        var gamma = OpsTestData.ToDouble(OpsTestData.Uniform(12, cols));
        var w = OpsTestData.ToDouble(OpsTestData.Uniform(14, rows * cols));
        double Loss(double[] xv, double[] g)
        {
            var y = new double[rows * cols];
            NormsReference.RmsNormForward<double>(xv, g, y, new double[rows], rows, cols, 1e-6);
            return OpsTestData.Weighted(y, w);
        }
        var rstd = new double[rows];
        NormsReference.RmsNormForward<double>(x, gamma, new double[rows * cols], rstd, rows, cols, 1e-6);
        var (dx, dg) = (new double[rows * cols], new double[cols]);
        NormsReference.RmsNormBackward<double>(w, x, gamma, rstd, dx, dg, rows, cols);
        OpsTestData.AssertClose(OpsTestData.NumericGradient(v => Loss(v, gamma), x), dx, 1e-7, 1e-6, "dx");
        OpsTestData.AssertClose(OpsTestData.NumericGradient(v => Loss(x, v), gamma), dg, 1e-7, 1e-6, "dgamma");

        var f = (double[] a) => a.Select(v => (float)v).ToArray();
        var rstdF = new float[rows];
        RmsNorm.Forward(f(x), f(gamma), new float[rows * cols], rstdF, rows, cols);
        var (dxF, dgF) = (new float[rows * cols], new float[cols]);
        for (int pass = 1; pass <= 2; pass++)
        {
            RmsNorm.Backward(f(w), f(x), f(gamma), rstdF, dxF, dgF, rows, cols);
            OpsTestData.AssertClose(f(dx.Select(v => v * pass).ToArray()), dxF, 1e-5f, 1e-4f, $"fast dx pass {pass}");
            OpsTestData.AssertClose(f(dg.Select(v => v * pass).ToArray()), dgF, 1e-5f, 1e-4f, $"fast dgamma pass {pass}");
        }
    }
}
