// A tiny generated world and its match data set, built once for all job-matching tests (a few seconds),
// with a model small enough that a whole training run takes about a second.
using Lodestar.Data.Generation;
using Lodestar.Data.Vocabularies;
using Lodestar.Models.JobMatching;
using Lodestar.Training.JobMatching;
using Lodestar.Features.JobMatching;
using Lodestar.Training.Loop;

namespace Lodestar.Training.Tests.JobMatching;

public sealed class TinyMatchWorld : IDisposable
{
    public TinyMatchWorld()
    {
        Root = Directory.CreateTempSubdirectory("lodestar-match-").FullName;
        var world = Path.Combine(Root, "world");
        WorldGenerator.Generate(new WorldConfig { Members = 400, Days = 7, Seed = 5, MatchSamplePairs = 600, Threads = 1 }, BuiltInVocabulary.Create(), world);
        Config = new MatchTrainingConfig
        {
            World = world,
            RunsDirectory = Path.Combine(Root, "runs"),
            TokenizerVocab = 600,
            Data = new MatchDataConfig { PolicyPairs = 600 },
            Model = new MatchModelConfig { Channels = 16, Heads = 2, FeedForward = 32, Layers = 1, MaxTokens = 48 },
            Training = MatchTrainingConfig.DefaultTraining with { Epochs = 3, BatchSize = 32, LearningRate = 5e-3f, WarmupSteps = 5, CheckpointEverySteps = 4 },
        };
        Data = MatchPipeline.Prepare(Config);
    }

    public string Root { get; }

    public MatchTrainingConfig Config { get; }

    public MatchDataSet Data { get; }

    /// <summary>A config writing into its own runs directory under the fixture's root.</summary>
    public MatchTrainingConfig In(string name) => Config with { RunsDirectory = Path.Combine(Root, name) };

    /// <summary>Trains both teachers for one epoch under runs directory `name`; returns a smaller student config naming them.</summary>
    public MatchTrainingConfig StudentWithTeachers(string name)
    {
        var config = In(name).WithTraining(t => t with { Epochs = 1 });
        new MatchTrainer(MatchRole.PolicyTeacher, config, Data).Train();
        new MatchTrainer(MatchRole.ClickTeacher, config, Data).Train();
        return config with
        {
            Model = config.Model with { Channels = 8, FeedForward = 16 },
            PolicyTeacherRun = config.RunDirectory(MatchRole.PolicyTeacher),
            ClickTeacherRun = config.RunDirectory(MatchRole.ClickTeacher),
        };
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

public static class MatchConfigs
{
    /// <summary>The config with its optimisation changed by <paramref name="change"/>.</summary>
    public static MatchTrainingConfig WithTraining(this MatchTrainingConfig config, Func<TrainingConfig, TrainingConfig> change) =>
        config with { Training = change(config.Training) };
}
