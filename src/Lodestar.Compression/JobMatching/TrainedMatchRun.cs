// A trained match run opened for compressing: its role, resolved config, the data set it was trained on and its best
// model, checked against that data, which every `lodestar compress` command starts from.
using Lodestar.Features.JobMatching;
using Lodestar.Models.JobMatching;
using Lodestar.Training.JobMatching;
using Lodestar.Training.Loop;

namespace Lodestar.Compression.JobMatching;

public sealed record TrainedMatchRun(string Directory, MatchRole Role, MatchTrainingConfig Config, MatchDataSet Data, MatchModel Model)
{
    /// <summary>Reads the run's record (any match role), prepares its data and loads its best model.</summary>
    public static TrainedMatchRun Open(string runDirectory, Action<string>? log = null)
    {
        var task = RunJson.RequireTask(runDirectory, MatchModel.KindPrefix + "*");
        var role = MatchModel.ParseRole(task[MatchModel.KindPrefix.Length..]);
        var config = MatchInference.ReadConfig(runDirectory);
        log?.Invoke($"preparing {runDirectory}'s data");
        var data = MatchPipeline.Prepare(config);
        return new TrainedMatchRun(runDirectory, role, config, data, MatchInference.LoadBest(runDirectory, role, data.VocabSize, data.Layout));
    }
}
