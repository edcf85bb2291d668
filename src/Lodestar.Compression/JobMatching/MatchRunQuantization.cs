// `lodestar compress quantize`: a trained match run's best model with its body in int8 (input ranges calibrated on the
// run's validation split) or bf16, the head in float32 unless asked, written as it will run (int8 codes with their
// scales, or bf16 bits) beside its feature spec, so a server or `match score` reading the directory scores in that
// precision; its test figures are measured beside float32's.
using Lodestar.Core;
using Lodestar.Features.JobMatching;
using Lodestar.Models.JobMatching;
using Lodestar.Training.JobMatching;
using Lodestar.Training.Loop;

namespace Lodestar.Compression.JobMatching;

public sealed record RunQuantizationResult(string Run, string Role, string Out, string Precision, bool Head, IReadOnlyList<string> Layers, int CalibrationPairs,
    long FloatBytes, long Bytes, ModelFigures Before, ModelFigures After)
{
    /// <summary>The file written last into the output directory: a complete result holds it.</summary>
    public const string FileName = "quantization.json";

    public static IReadOnlyList<string> Precisions { get; } = ["int8", "bf16"];
}

public static class MatchRunQuantization
{
    /// <summary>Writes <paramref name="runDirectory"/>'s best model in <paramref name="precision"/> (int8 or bf16) into <paramref name="outDirectory"/>.</summary>
    public static RunQuantizationResult Quantize(string runDirectory, string precision, bool includeHead, string outDirectory, bool replace = false, Action<string>? log = null)
    {
        if (!RunQuantizationResult.Precisions.Contains(precision))
        {
            throw new ArgumentException($"precision '{precision}': one of {string.Join(", ", RunQuantizationResult.Precisions)}");
        }
        var (_, role, config, data, model) = TrainedMatchRun.Open(runDirectory, log);
        var testSet = MatchTestSet.Of(data, MatchSplit.Test);
        var before = MatchRunPruning.Figures(model, testSet, data);
        var calibration = data.In(MatchSplit.Validation).ToList();
        log?.Invoke(precision == "int8" ? $"calibrating int8 input ranges on {calibration.Count} validation pairs" : "rounding weights to bf16");
        var layers = precision == "int8" ? MatchQuantization.QuantizeInt8(model, calibration, includeHead) : MatchQuantization.ToBf16(model, includeHead);
        var after = MatchRunPruning.Figures(model, testSet, data);
        var best = Path.Combine(runDirectory, MatchModel.BestFile);
        var bytes = StagedDirectory.Write(outDirectory, RunQuantizationResult.FileName, replace, staging =>
        {
            var path = Path.Combine(staging, MatchModel.BestFile);
            model.Save(path, lowPrecision: true);
            MatchFeatureSpec.Write(staging, data.WorldDirectory, data.Config,
                data.Tokenizer ?? throw new InvalidOperationException("the data set carries no tokenizer to write beside the model"), config.Policy);
            var result = new RunQuantizationResult(Path.GetFullPath(runDirectory), MatchModel.RoleName(role), Path.GetFullPath(outDirectory), precision, includeHead, layers,
                precision == "int8" ? calibration.Count : 0, new FileInfo(best).Length, new FileInfo(path).Length, before, after);
            AtomicFile.WriteAllBytes(Path.Combine(staging, RunQuantizationResult.FileName), System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(result, RunJson.Options));
            return result;
        });
        return bytes;
    }
}
