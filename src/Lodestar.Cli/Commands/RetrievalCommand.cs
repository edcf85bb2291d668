// `lodestar retrieval train|experiment`: the feed-retrieval dual encoder trained on a world's feed log through
// the one training loop (recall@K of held-out engagements by exact search), and its claims as named variants.
using System.CommandLine;
using Lodestar.Core.Progress;
using Lodestar.Experiments.Retrieval;
using Lodestar.Training.Loop;
using Lodestar.Training.Retrieval;

namespace Lodestar.Cli;

public static class RetrievalCommand
{
    public static Command Create()
    {
        var command = new Command("retrieval", "Retrieval: train the dual encoder that embeds members and posts (or jobs: job candidates before the cross-encoder).");
        command.Subcommands.Add(Train());
        command.Subcommands.Add(Eval());
        command.Subcommands.Add(Experiment());
        return command;
    }

    private static Command Experiment()
    {
        var config = new Option<FileInfo>("--config") { Description = "Experiment config JSON (configs/retrieval/*.json: world, seeds, named variants).", Required = true };
        var json = CliJson.CreateOption();
        var command = new Command("experiment", "Train each named variant under each seed on one world and report every test figure's mean ± sd (finished runs are reused).")
        {
            Options = { config, json },
        };
        command.SetAction(parse =>
        {
            var asJson = parse.GetValue(json);
            var experiment = RetrievalExperimentConfig.Load(parse.GetValue(config)!.FullName);
            var result = RetrievalExperiment.Run(experiment, (asJson ? Console.Error : Console.Out).WriteLine, ProgressReporter.ForStandardError());
            ExperimentOutput.Write(result, RetrievalExperiment.Headline, experiment.Out, asJson);
            return 0;
        });
        return command;
    }

    private static Command Train()
    {
        var config = new Option<FileInfo?>("--config") { Description = "Run config JSON (snake_case keys of RetrievalConfig; absent keys keep defaults)." };
        var world = new Option<DirectoryInfo?>("--world") { Description = "Override the config's world directory." };
        var run = new Option<DirectoryInfo>("--run") { Description = "Run directory (run.json, report.html, checkpoints, tokenizer.json).", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --run from its last checkpoint (the same config)." };
        var force = CliOptions.ForceRun();
        var json = CliJson.CreateOption();
        var command = new Command("train", "Train the shared member/post (or member/job) encoder with InfoNCE on easy and hard negatives; report recall@10/50/100/500 and NDCG@10 by history bucket.")
        {
            Options = { config, world, run, resume, force, json },
        };
        command.SetAction(parse =>
        {
            var resolved = parse.GetValue(config) is { } file ? RetrievalConfig.Load(file.FullName) : new RetrievalConfig();
            if (parse.GetValue(world) is { } directory)
            {
                resolved = resolved with { World = directory.FullName };
            }
            var runDirectory = parse.GetValue(run)!.FullName;
            CliOptions.DiscardRunIfForced(parse.GetValue(force), parse.GetValue(resume), runDirectory);
            var record = RetrievalRun.Train(resolved.Validate(), runDirectory, new LoopOptions(parse.GetValue(resume), Progress: ProgressReporter.ForStandardError()));
            CliJson.WriteRun(record, runDirectory, parse.GetValue(json));
            return 0;
        });
        return command;
    }

    private static Command Eval()
    {
        var config = new Option<FileInfo?>("--config") { Description = "Run config JSON (its world, data split, prompts and evaluation size)." };
        var world = new Option<DirectoryInfo?>("--world") { Description = "Override the config's world directory." };
        var pretrained = new Option<DirectoryInfo?>("--pretrained") { Description = "Override the config's pretrained encoder (a `lodestar model import` directory)." };
        var json = CliJson.CreateOption();
        var command = new Command("eval", "Test a pretrained encoder as it is, with no fine-tuning: the zero-shot reference of a fine-tuned run, beside popularity.")
        {
            Options = { config, world, pretrained, json },
        };
        command.SetAction(parse =>
        {
            var resolved = parse.GetValue(config) is { } file ? RetrievalConfig.Load(file.FullName) : new RetrievalConfig();
            if (parse.GetValue(world) is { } directory)
            {
                resolved = resolved with { World = directory.FullName };
            }
            if (parse.GetValue(pretrained) is { } encoder)
            {
                resolved = resolved with { Pretrained = encoder.FullName };
            }
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var test = RetrievalRun.EvaluatePretrained(resolved, ProgressReporter.ForStandardError());
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(new { resolved.Pretrained, resolved.World, Test = test, WallSeconds = clock.Elapsed.TotalSeconds });
            }
            else
            {
                foreach (var (key, value) in test)
                {
                    Console.Out.WriteLine($"  test {key}: {value:F4}");
                }
            }
            return 0;
        });
        return command;
    }
}
