// Int8 inference for a match model, as LinkedIn serves its distilled models: every linear layer of the body (the token
// projection, attention and MLP) runs on int8 weights per output channel with its inputs quantized by a range
// calibrated on held-out pairs, while the output head stays float32 unless asked, since a low-precision head breaks
// calibration and the ability to tell close candidates apart.
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
        var layers = model.NamedModules()
            .Where(m => m.Module is Linear && (includeHead || !ReferenceEquals(m.Module, model.Encoder.Head)))
            .Select(m => (m.Name, Layer: (Linear)m.Module))
            .ToList();
        DropInt8(model);
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

    /// <summary>Every layer back to float32.</summary>
    public static void DropInt8(MatchModel model)
    {
        foreach (var (_, module) in model.NamedModules())
        {
            (module as Linear)?.DropInt8();
        }
    }
}
