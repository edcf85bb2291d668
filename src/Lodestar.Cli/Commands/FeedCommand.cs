// `lodestar feed train|experiment`: the feed ranker (a generative recommender over post and action tokens, late
// fusion, an MMoE head over DCNv2 experts) trained on a world's feed log through the one training loop, and its
// claims as named variants under several seeds.
using System.CommandLine;
using Lodestar.Core.Progress;
using Lodestar.Evaluation;
using Lodestar.Evaluation.FeedRanking;
using Lodestar.Experiments.FeedRanking;
using Lodestar.Models.FeedRanking;
using Lodestar.Training.FeedRanking;
using Lodestar.Training.Loop;

namespace Lodestar.Cli;

public static class FeedCommand
{
    public static Command Create()
    {
        var command = new Command("feed", "Feed ranking: train the sequential ranker that predicts six actions for each impression.");
        command.Subcommands.Add(Train());
        command.Subcommands.Add(Experiment());
        return command;
    }

    private static Command Experiment()
    {
        var config = new Option<FileInfo>("--config") { Description = "Experiment config JSON (configs/feed/*.json: world, seeds, named variants of the ranker).", Required = true };
        var json = CliJson.CreateOption();
        var command = new Command("experiment", "Train each named variant under each seed on one world and report every test figure's mean ± sd (finished runs are reused).")
        {
            Options = { config, json },
        };
        command.SetAction(parse =>
        {
            var asJson = parse.GetValue(json);
            var experiment = FeedRankingExperimentConfig.Load(parse.GetValue(config)!.FullName);
            var result = FeedRankingExperiment.Run(experiment, (asJson ? Console.Error : Console.Out).WriteLine, ProgressReporter.ForStandardError());
            ExperimentOutput.Write(result, [.. FeedTasks.Names.Select(MetricNames.Auc), FeedRankingMetrics.MeanAuc, MetricNames.Of(FeedRankingMetrics.MeanAuc, "history-1-5"),
                MetricNames.Of(FeedRankingMetrics.MeanAuc, FeedReferences.Oracle)], experiment.Out, asJson);
            return 0;
        });
        return command;
    }

    private static Command Train()
    {
        var config = new Option<FileInfo?>("--config") { Description = "Run config JSON (snake_case keys of FeedRankingConfig; absent keys keep defaults)." };
        var world = new Option<DirectoryInfo?>("--world") { Description = "Override the config's world directory." };
        var run = new Option<DirectoryInfo>("--run") { Description = "Run directory (run.json, report.html, checkpoints).", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --run from its last checkpoint (the same config)." };
        var force = CliOptions.ForceRun();
        var json = CliJson.CreateOption();
        var command = new Command("train", "Train the feed ranker on the days before validation; report AUC and log loss of click, skip, long dwell, like, comment and share on the test days.")
        {
            Options = { config, world, run, resume, force, json },
        };
        command.SetAction(parse =>
        {
            var resolved = parse.GetValue(config) is { } file ? FeedRankingConfig.Load(file.FullName) : new FeedRankingConfig();
            if (parse.GetValue(world) is { } directory)
            {
                resolved = resolved with { World = directory.FullName };
            }
            var runDirectory = parse.GetValue(run)!.FullName;
            CliOptions.DiscardRunIfForced(parse.GetValue(force), parse.GetValue(resume), runDirectory);
            var record = FeedRankingRun.Train(resolved.Validate(), runDirectory, new LoopOptions(parse.GetValue(resume), Progress: ProgressReporter.ForStandardError()));
            CliJson.WriteRun(record, runDirectory, parse.GetValue(json));
            return 0;
        });
        return command;
    }
}
