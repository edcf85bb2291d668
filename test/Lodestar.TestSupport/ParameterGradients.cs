// Every parameter's gradient against central finite differences: the check each model's gradient test makes.
// Weights are spread wider than their init first, so every path carries a signal the differences can see.
using Lodestar.Core;
using Lodestar.Nn;
using Xunit;

namespace Lodestar.TestSupport;

public static class ParameterGradients
{
    /// <summary>Adds N(0, spread²) to every parameter of <paramref name="model"/>.</summary>
    public static void Spread(Module model, ulong seed, double spread = 0.3)
    {
        var random = new SeededRandom(seed);
        foreach (var (_, parameter) in model.NamedParameters())
        {
            var values = parameter.Data;
            for (var i = 0; i < values.Length; i++)
            {
                values[i] += (float)(random.NextGaussian() * spread);
            }
        }
    }

    /// <summary>
    /// Asserts that each parameter's gradient, as one backward pass left it, is (f(θ + ε) − f(θ − ε)) / 2ε of the scalar
    /// <paramref name="evaluate"/> within <paramref name="absolute"/> + <paramref name="relative"/>·|that difference|.
    /// </summary>
    public static void AssertMatchFiniteDifferences(Module model, Func<double> evaluate, double eps, double absolute, double relative, string label = "")
    {
        var analytic = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Grad.ToArray());
        foreach (var (name, parameter) in model.NamedParameters())
        {
            var values = parameter.Data;
            for (var i = 0; i < values.Length; i++)
            {
                var original = values[i];
                values[i] = (float)(original + eps);
                var plus = evaluate();
                values[i] = (float)(original - eps);
                var minus = evaluate();
                values[i] = original;
                var numeric = (plus - minus) / (2 * eps);
                Assert.True(Math.Abs(analytic[name][i] - numeric) <= absolute + (relative * Math.Abs(numeric)),
                    $"{label}d/d {name}[{i}]: backward {analytic[name][i]}, finite difference {numeric}");
            }
        }
    }
}
