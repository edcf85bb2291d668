// `lodestar feed train|eval|score|experiment`: the feed ranker (a generative recommender over post and action tokens,
// late fusion, an MMoE head over DCNv2 experts) trained on a world's feed log through the one training loop, its
// figures measured again, a member's posts scored as the server scores them, and its claims as named variants under
// several seeds.
using System.CommandLine;
using System.Globalization;
using Lodestar.Core.Progress;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Evaluation;
using Lodestar.Evaluation.FeedRanking;
using Lodestar.Experiments.FeedRanking;
using Lodestar.Features.FeedRanking;
using Lodestar.Features.Retrieval;
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
        command.Subcommands.Add(Eval());
        command.Subcommands.Add(Score());
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
            ExperimentOutput.Write(result, FeedRankingExperiment.Headline, experiment.Out, asJson);
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

    private static Option<DirectoryInfo> RunOption() => new("--run") { Description = "A finished feed-ranking run directory (run.json, best.safetensors).", Required = true };

    private static Command Eval()
    {
        var run = RunOption();
        var world = new Option<DirectoryInfo?>("--world") { Description = "Evaluate on this world (split as the run's config says) instead of the run's own, which must be unchanged." };
        var json = CliJson.CreateOption();
        var command = new Command("eval", "Measure a run's best weights again: per-task AUC and log loss on the validation and test days, the cold-start buckets, popularity and the oracle beside them.")
        {
            Options = { run, world, json },
        };
        command.SetAction(parse =>
        {
            var runDirectory = parse.GetValue(run)!.FullName;
            var evaluation = FeedRankingRun.Evaluate(runDirectory, parse.GetValue(world)?.FullName, ProgressReporter.ForStandardError());
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(new { Run = runDirectory, evaluation.World, evaluation.Counts, evaluation.Validation, evaluation.Test });
                return 0;
            }
            Console.Out.WriteLine($"{runDirectory} on {evaluation.World}: {evaluation.Counts["test_member_days"]:N0} test member-days");
            foreach (var (split, figures) in new[] { ("validation", evaluation.Validation), ("test", evaluation.Test) })
            {
                foreach (var (key, value) in figures)
                {
                    Console.Out.WriteLine($"  {split} {key}: {value:F4}");
                }
            }
            return 0;
        });
        return command;
    }

    private static Command Score()
    {
        var run = RunOption();
        var member = new Option<long>("--member") { Description = "The member whose feed request is scored.", Required = true };
        var posts = new Option<long[]>("--posts") { Description = "Candidate post ids, e.g. --posts 12 40 41.", Required = true, AllowMultipleArgumentsPerToken = true };
        var day = new Option<int?>("--day") { Description = "The request's day (it starts the day; history and counts are from the days before). Default: the day after the world's last." };
        var json = CliJson.CreateOption();
        var command = new Command("score", "Score posts for a member as the server does: the member's history and every feature from before the request, six action probabilities per post.")
        {
            Options = { run, member, posts, day, json },
        };
        command.SetAction(parse =>
        {
            var runDirectory = parse.GetValue(run)!.FullName;
            var record = RunRecord<FeedRankingConfig>.Read(runDirectory);
            var model = FeedRankerModel.Load(Path.Combine(runDirectory, TrainingLoop.BestFile));
            var world = record.Config.World;
            var memberId = parse.GetValue(member);
            if (!JsonlReader.Read(Path.Combine(world, DataFiles.Members), DataJson.Compact.Member).Any(m => m.Id == memberId))
            {
                throw new ArgumentException($"--member: {memberId} is not a member of {world}");
            }
            var log = FeedLog.Load(world);
            var requestDay = parse.GetValue(day) ?? log.LastDay + 1;
            var time = ManifestFile.StartSeconds(world) + (requestDay * 86_400L);
            var candidates = parse.GetValue(posts)!;
            var request = new FeedRankingFeatures(log).Request(memberId, requestDay, time, candidates, model.Config.MaxHistory);
            var probabilities = model.Score(request.History, request.Candidates, model.Config.FusedFeatures == 0 ? [] : request.Features);
            var scored = candidates.Select((post, k) => new
            {
                Post = post,
                Probabilities = FeedTasks.Names.Select((task, t) => (task, t)).ToDictionary(x => x.task, x => Math.Round(probabilities[(k * FeedTasks.Count) + x.t], 6)),
            }).ToList();
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(new { Run = runDirectory, Member = memberId, Day = requestDay, Time = time, History = request.HistoryCount, HistoryRead = request.History.Length, Posts = scored });
                return 0;
            }
            Console.Out.WriteLine($"member {memberId} on day {requestDay}: {request.HistoryCount} impressions before, the last {request.History.Length} read");
            Console.Out.WriteLine("post\t" + string.Join('\t', FeedTasks.Names));
            foreach (var item in scored)
            {
                Console.Out.WriteLine($"{item.Post}\t" + string.Join('\t', item.Probabilities.Values.Select(v => v.ToString("F4", CultureInfo.InvariantCulture))));
            }
            return 0;
        });
        return command;
    }
}
