// `lodestar compress prune`: one structured-pruning step on a trained match run. The units are ranked on the run's
// validation split under the loss the run was trained with (its teachers' cached logits for a student); the pruned
// model is written whole (best.safetensors with its feature spec, pruning.json last) so a run can start from it
// (`init_from` with the printed model config) and `match score` can read it; its test figures are measured before any
// further training, beside the original's.
using Lodestar.Core;
using Lodestar.Evaluation.Match;
using Lodestar.Features.JobMatching;
using Lodestar.Models.JobMatching;
using Lodestar.Training.JobMatching;
using Lodestar.Training.Loop;

namespace Lodestar.Compression.JobMatching;

/// <summary>A model's parameters and test figures (policy NDCG@10, apply AUC and ECE, truth NDCG@10).</summary>
public sealed record ModelFigures(long Parameters, IReadOnlyDictionary<string, double> Metrics);

/// <param name="Model">The pruned model's config: a run that distils it on sets it as its model, with init_from the output directory.</param>
public sealed record RunPruningResult(string Run, string Role, string Out, PruningAmount Amount, PrunedUnits Removed, MatchModelConfig Model,
    int CalibrationPairs, ModelFigures Before, ModelFigures After, UnitImportance Importance)
{
    /// <summary>The file written last into the output directory: a complete pruning result holds it.</summary>
    public const string FileName = "pruning.json";
}

public static class MatchRunPruning
{
    public static IReadOnlyList<string> FigureKeys { get; } = [MatchMetrics.NdcgPolicy, MatchMetrics.AucApply, MatchMetrics.EceApply, MatchMetrics.NdcgTruth];

    /// <summary>A model's parameters and its <see cref="FigureKeys"/> on the test set.</summary>
    public static ModelFigures Figures(MatchModel model, MatchTestSet testSet, MatchDataSet data)
    {
        var metrics = MatchEvaluator.Measure(testSet, model, data).Metrics;
        return new(model.ParameterCount, FigureKeys.ToDictionary(k => k, k => metrics[k]));
    }

    /// <summary>Prunes the best model of <paramref name="runDirectory"/> by <paramref name="amount"/> into <paramref name="outDirectory"/>.</summary>
    public static RunPruningResult Prune(string runDirectory, PruningAmount amount, string outDirectory, bool replace = false, Action<string>? log = null)
    {
        var (_, role, config, data, model) = TrainedMatchRun.Open(runDirectory, log);
        var trainer = new MatchTrainer(role, config, data);
        var calibration = trainer.Select(MatchSplit.Validation);
        log?.Invoke($"ranking {model.Config.Layers} blocks' heads and MLP channels on {calibration.Count} validation pairs");
        var importance = StructuredPruning.Estimate(model, calibration, trainer.BatchLoss(), config.Training.BatchSize);
        var removed = StructuredPruning.Choose(importance, amount);
        var pruned = StructuredPruning.Prune(model, removed);
        var testSet = MatchTestSet.Of(data, MatchSplit.Test);
        log?.Invoke($"measuring both models on {testSet.Examples.Count} test pairs");
        var result = new RunPruningResult(Path.GetFullPath(runDirectory), MatchModel.RoleName(role), Path.GetFullPath(outDirectory), amount, removed, pruned.Config,
            calibration.Count, Figures(model, testSet, data), Figures(pruned, testSet, data), importance);
        StagedDirectory.Write(outDirectory, RunPruningResult.FileName, replace, staging =>
        {
            pruned.Save(Path.Combine(staging, MatchModel.BestFile));
            MatchFeatureSpec.Write(staging, data.WorldDirectory, data.Config,
                data.Tokenizer ?? throw new InvalidOperationException("the data set carries no tokenizer to write beside the model"), config.Policy);
            AtomicFile.WriteAllBytes(Path.Combine(staging, RunPruningResult.FileName), System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(result, RunJson.Options));
            return 0;
        });
        return result;
    }
}
