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
        command.Subcommands.Add(Embed());
        return command;
    }

    private static Command Embed()
    {
        var run = new Option<DirectoryInfo>("--run") { Description = "A finished `retrieval train` run (posts or jobs).", Required = true };
        var members = new Option<bool>("--members") { Description = "Embed every member of the world instead of the run's items (posts, or jobs)." };
        var day = new Option<int?>("--day") { Description = "Prompts as of the start of this day (items created by it). Default: the day after the log's last." };
        var world = new Option<DirectoryInfo?>("--world") { Description = "Override the run's world directory (same schema)." };
        var output = new Option<FileInfo>("--out") { Description = "Safetensors file to write: embeddings (N, D) F32, ids (N) I64, created_at (N) I64, as `lodestar index build` reads it.", Required = true };
        var json = CliJson.CreateOption();
        var command = new Command("embed", "Embed a run's items or the world's members with its best encoder, into a file `lodestar index build` reads.")
        {
            Options = { run, members, day, world, output, json },
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(output)!.FullName;
            var embeddings = RetrievalRun.Embed(parse.GetValue(run)!.FullName, parse.GetValue(members), parse.GetValue(day), parse.GetValue(world)?.FullName,
                ProgressReporter.ForStandardError());
            var writer = new Lodestar.Tensors.Serialization.SafeTensorsWriter();
            writer.Add("embeddings", embeddings.Vectors, embeddings.Ids.Length, embeddings.Dimension);
            writer.Add("ids", embeddings.Ids, embeddings.Ids.Length);
            writer.Add("created_at", embeddings.CreatedAt, embeddings.Ids.Length);
            writer.Save(path, new Dictionary<string, string>(StringComparer.Ordinal) { ["run"] = parse.GetValue(run)!.FullName, ["day"] = embeddings.Day.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            var summary = new { Out = path, Count = embeddings.Ids.Length, embeddings.Dimension, embeddings.Day, Kind = parse.GetValue(members) ? "members" : "items" };
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(summary);
            }
            else
            {
                Console.Out.WriteLine($"{summary.Count:N0} {summary.Kind} of dimension {summary.Dimension} as of day {summary.Day} in {path}");
            }
            return 0;
        });
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
