// Lower-precision inference for a match model, as LinkedIn serves its distilled models: every linear layer of the body
// (the token projection, attention and MLP) runs on int8 weights per output channel with its inputs quantized by a
// range calibrated on held-out pairs, or on bf16 weights, while the output head stays float32 unless asked, since a
// low-precision head breaks calibration and the ability to tell close candidates apart.
using Lodestar.Kernels;
using Lodestar.Models.JobMatching;
using Lodestar.Nn;

namespace Lodestar.Features.JobMatching;

public static class MatchQuantization
{
    /// <summary>
    /// Calibrates the inputs of every linear layer on <paramref name="calibration"/> (one float32 pass) and quantizes the
    /// layers to int8: the body's, and the head's when <paramref name="includeHead"/>. Returns the quantized layers' names.
    /// </summary>
    public static IReadOnlyList<string> QuantizeInt8(MatchModel model, IReadOnlyList<MatchExample> calibration, bool includeHead = false)
    {
        if (calibration.Count == 0)
        {
            throw new ArgumentException("int8 calibration: the calibration set is empty; the layers' input ranges need at least one pair", nameof(calibration));
        }
        var layers = Layers(model, includeHead);
        DropLowPrecision(model);
        foreach (var (_, layer) in layers)
        {
            layer.InputObserver = new Int8RangeObserver();
        }
        try
        {
            MatchScorer.Predict(model, calibration);
            foreach (var (_, layer) in layers)
            {
                layer.QuantizeInt8(layer.InputObserver!.Range);
            }
        }
        finally
        {
            foreach (var (_, layer) in layers)
            {
                layer.InputObserver = null;
            }
        }
        return [.. layers.Select(l => l.Name)];
    }

    /// <summary>Gives every linear layer of the body, and the head when <paramref name="includeHead"/>, bf16 weights; returns their names.</summary>
    public static IReadOnlyList<string> ToBf16(MatchModel model, bool includeHead = false)
    {
        DropLowPrecision(model);
        var layers = Layers(model, includeHead);
        foreach (var (_, layer) in layers)
        {
            layer.ToBf16();
        }
        return [.. layers.Select(l => l.Name)];
    }

    /// <summary>Every layer back to float32.</summary>
    public static void DropLowPrecision(MatchModel model)
    {
        foreach (var (_, module) in model.NamedModules())
        {
            (module as Linear)?.DropLowPrecision();
        }
    }

    private static List<(string Name, Linear Layer)> Layers(MatchModel model, bool includeHead) =>
        [.. model.NamedModules()
            .Where(m => m.Module is Linear && (includeHead || !ReferenceEquals(m.Module, model.Encoder.Head)))
            .Select(m => (m.Name, (Linear)m.Module))];
}
