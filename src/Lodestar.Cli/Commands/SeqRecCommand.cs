// `lodestar seqrec train|eval|recommend|experiment` (and `lodestar bench seqrec`): sequential recommendation on `uid item1 … itemN` files with
// leave-one-out splits and full-ranking metrics, baselines and models through the same evaluator.
using System.CommandLine;
using Lodestar.Core.Progress;
using Lodestar.Core;
using Lodestar.Bench.SeqRec;
using Lodestar.Evaluation;
using Lodestar.Models;
using Lodestar.Models.SasRec;
using Lodestar.Training.Loop;
using Lodestar.Training.SeqRec;
using Spectre.Console;
using Lodestar.Features.SeqRec;

namespace Lodestar.Cli;

public static class SeqRecCommand
{
    public static Command Create()
    {
        var seqrec = new Command("seqrec", "Sequential recommendation: train, evaluate (full ranking, leave-one-out), recommend, multi-seed experiments (speed: lodestar bench seqrec).");
        seqrec.Subcommands.Add(CreateTrain());
        seqrec.Subcommands.Add(CreateEval());
        seqrec.Subcommands.Add(CreateRecommend());
        seqrec.Subcommands.Add(SeqRecExperimentCommand.Create());
        seqrec.Subcommands.Add(MovedCommand.Create("seqrec bench", "bench seqrec"));
        return seqrec;
    }

    private static Option<string> RunOption(bool required) => new("--run")
    {
        Description = "Run directory (holds run.json and checkpoints).",
        Required = required,
    };

    private static Command CreateTrain()
    {
        var data = new Option<string>("--data") { Description = "Sequence file: one line per user, `uid item1 ... itemN` in time order.", Required = true };
        var config = new Option<string?>("--config") { Description = "JSON config (snake_case fields of SeqRecConfig); defaults when omitted." };
        var model = new Option<string?>("--model") { Description = "Override the config's model: sasrec | popular | cooc." };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --run from its last checkpoint (same config)." };
        var seed = new Option<int?>("--seed") { Description = "Override the config's seed." };
        var keepHistory = new Option<bool>("--keep-history") { Description = "Rank items already in the user's history too (default: excluded; see --history-mask)." };
        var historyMask = HistoryMaskOption();
        var run = RunOption(required: false);
        var force = CliOptions.ForceRun();
        var json = CliJson.CreateOption();
        var command = new Command("train", "Fit a model on the training split, select the best epoch on validation NDCG@10, report test metrics.")
        {
            Options = { data, config, model, seed, keepHistory, historyMask, run, resume, force, json },
        };
        command.SetAction(parse =>
        {
            var resuming = parse.GetValue(resume);
            if (resuming && parse.GetValue(run) is null)
            {
                throw new ArgumentException("--resume needs --run DIR (the run to continue)");
            }
            var resolved = parse.GetValue(config) is { } path ? SeqRecConfig.Load(path)
                : resuming ? RunRecord<SeqRecConfig>.Read(parse.GetValue(run)!).Config
                : new SeqRecConfig();
            if (parse.GetValue(model) is { } name)
            {
                resolved = resolved with { Model = ParseModel(name) };
            }
            if (parse.GetValue(seed) is { } s)
            {
                resolved = resolved with { Seed = s };
            }
            if (parse.GetValue(keepHistory))
            {
                resolved = resolved with { Evaluation = resolved.Evaluation with { ExcludeHistory = false } };
            }
            if (parse.GetValue(historyMask) is { } mask)
            {
                resolved = resolved with { Evaluation = resolved.Evaluation with { HistoryMask = HistoryMasks.Parse(mask) } };
            }
            resolved.Validate();
            var splits = SeqRecData.Load(parse.GetValue(data)!);
            var runDirectory = parse.GetValue(run)
                ?? Path.Combine("runs", $"seqrec-{Path.GetFileNameWithoutExtension(splits.Provenance.File)}-{SeqRecRun.Name(resolved.Model)}-s{resolved.Seed}");
            CliOptions.DiscardRunIfForced(parse.GetValue(force), resuming, runDirectory);
            var asJson = parse.GetValue(json);
            var record = WithProgress(progress => SeqRecRun.Train(resolved, splits, runDirectory, new LoopOptions(resuming, Progress: progress)));
            var evaluation = record.Config.Evaluation;
            Report(asJson, runDirectory, record.Config, splits.Provenance, "validation", record.BestValidation!, evaluation, record.BestEpoch, record.WallSeconds);
            Report(asJson, runDirectory, record.Config, splits.Provenance, "test", record.Test!, evaluation, record.BestEpoch, record.WallSeconds);
            return 0;
        });
        return command;
    }

    /// <summary>--history-mask: the rule for items the user has already seen (RankingOptions.HistoryMask).</summary>
    private static Option<string?> HistoryMaskOption() => new("--history-mask")
    {
        Description = "Seen items: keep-target (not ranked; a repeated target keeps its score; the default) or published (scored 0 with the padding item, " +
            "as BSARec/ICLRec's code does; compare against published tables only under it).",
    };

    private static Command CreateEval()
    {
        var run = RunOption(required: true);
        var data = new Option<string?>("--data") { Description = "The sequence file, when it has moved since training (its hash must match)." };
        var keepHistory = new Option<bool>("--keep-history") { Description = "Rank items already in the user's history too." };
        var historyMask = HistoryMaskOption();
        var json = CliJson.CreateOption();
        var command = new Command("eval", "Evaluate a trained run on the validation and test splits (full ranking over all items).")
        {
            Options = { run, data, keepHistory, historyMask, json },
        };
        command.SetAction(parse =>
        {
            var runDirectory = parse.GetValue(run)!;
            var (record, splits, model) = OpenRun(runDirectory, parse.GetValue(data));
            var options = record.Config.Evaluation with { ExcludeHistory = !parse.GetValue(keepHistory) };
            if (parse.GetValue(historyMask) is { } mask)
            {
                options = options with { HistoryMask = HistoryMasks.Parse(mask) };
            }
            var asJson = parse.GetValue(json);
            var (validation, test) = WithProgress(progress =>
                (SeqRecRun.Evaluate(model, splits.Validation, options, "validation", progress),
                 SeqRecRun.Evaluate(model, splits.Test, options, "test", progress)));
            Report(asJson, runDirectory, record.Config, splits.Provenance, "validation", validation.Metrics, options, record.BestEpoch, null);
            Report(asJson, runDirectory, record.Config, splits.Provenance, "test", test.Metrics, options, record.BestEpoch, null);
            return 0;
        });
        return command;
    }

    private static Command CreateRecommend()
    {
        var run = RunOption(required: false);
        var checkpoint = new Option<FileInfo>("--checkpoint") { Description = "A SASRec checkpoint (best.safetensors) to recommend with, instead of --run: needs no run record or trainer." };
        var data = new Option<FileInfo>("--data") { Description = "With --checkpoint and --user: the sequence file the user's history is read from." };
        var user = new Option<long>("--user") { Description = "User id as written in the data file." };
        var history = new Option<int[]>("--history") { Description = "With --checkpoint: the history itself, item ids oldest first (instead of --user).", AllowMultipleArgumentsPerToken = true };
        var k = new Option<int>("--k") { Description = "How many items to recommend.", DefaultValueFactory = _ => 10 };
        var keepHistory = new Option<bool>("--keep-history") { Description = "Allow items the user already has." };
        var json = CliJson.CreateOption();
        var command = new Command("recommend", "Top-k next items after a history (a user's whole sequence, or one given with --history), over all items.")
        {
            Options = { run, checkpoint, data, user, history, k, keepHistory, json },
        };
        command.SetAction(parse =>
        {
            var (modelName, model, items) = OpenHistory(parse.GetValue(run), parse.GetValue(checkpoint), parse.GetValue(data),
                parse.GetResult(user) is null ? null : parse.GetValue(user), parse.GetValue(history));
            var exclude = !parse.GetValue(keepHistory);
            var (best, scores) = TopKRecommender.Recommend(model, items, parse.GetValue(k), exclude);
            var userId = parse.GetResult(user) is null ? (long?)null : parse.GetValue(user);
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(new { User = userId, Model = modelName, HistoryExcluded = exclude, Items = best, Scores = scores });
                return 0;
            }
            var table = new Table().AddColumns("rank", "item", "score");
            for (var i = 0; i < best.Length; i++)
            {
                table.AddRow($"{i + 1}", $"{best[i]}", $"{scores[i]:G6}");
            }
            AnsiConsole.MarkupLine($"{(userId is { } id ? $"user {id}, " : "")}history of {items.Length} items, model {modelName}");
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    /// <summary>The model and history a recommend call names: a run and a user, or a checkpoint and a user of a data file or a given history.</summary>
    private static (string Model, ISequenceRecommender Recommender, int[] History) OpenHistory(string? runDirectory, FileInfo? checkpoint, FileInfo? data, long? user, int[]? history)
    {
        if ((runDirectory is null) == (checkpoint is null))
        {
            throw new ArgumentException("give either --run or --checkpoint");
        }
        if (runDirectory is not null)
        {
            if (user is null || history is { Length: > 0 } || data is not null)
            {
                throw new ArgumentException("--run takes --user (the run's own data file gives the history), not --history or --data");
            }
            var (record, splits, model) = OpenRun(runDirectory);
            return (SeqRecRun.Name(record.Config.Model), model, splits.Sequences[splits.IndexOfUser(user.Value)]);
        }
        var sasrec = SasRecModel.Load(checkpoint!.FullName);
        if (history is { Length: > 0 })
        {
            if (user is not null || data is not null)
            {
                throw new ArgumentException("--history is the history itself: give it without --user and --data");
            }
            return (SasRecModel.Kind, sasrec, history);
        }
        if (user is null || data is null)
        {
            throw new ArgumentException("--checkpoint needs --history, or --user with --data");
        }
        var sequences = SeqRecData.Load(data.FullName);
        if (sequences.ItemCount > sasrec.ItemCount)
        {
            throw new ArgumentException($"{data.FullName}: has items up to {sequences.ItemCount}, the checkpoint knows {sasrec.ItemCount}");
        }
        return (SasRecModel.Kind, sasrec, sequences.Sequences[sequences.IndexOfUser(user.Value)]);
    }

    /// <summary>`lodestar bench seqrec`: batch top-k users/s of a run's model against most-popular in the same process.</summary>
    public static Command CreateBench()
    {
        var run = RunOption(required: true);
        var users = new Option<int>("--users") { Description = "Users to recommend for (the first N of the data file).", DefaultValueFactory = _ => 1000 };
        var k = new Option<int>("--k") { Description = "Items per user.", DefaultValueFactory = _ => 10 };
        var repeats = new Option<int>("--repeats") { Description = "Timed passes; the median is reported.", DefaultValueFactory = _ => 5 };
        var batch = new Option<int>("--batch") { Description = "Users per scoring batch (one GEMM against the item table per batch).", DefaultValueFactory = _ => 128 };
        var threads = new Option<int>("--threads") { Description = "Worker threads over batches.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var json = CliJson.CreateOption();
        var command = new Command("seqrec", "Sequential recommendation: throughput of top-k over all items (users/s, history excluded) for a run's model, against most-popular measured in the same run.")
        {
            Options = { run, users, k, repeats, batch, threads, json },
        };
        command.SetAction(parse =>
        {
            var (record, splits, model) = OpenRun(parse.GetValue(run)!);
            if (parse.GetValue(users) < 1 || parse.GetValue(k) < 1 || parse.GetValue(batch) < 1 || parse.GetValue(threads) < 1)
            {
                throw new ArgumentException($"--users, --k, --batch and --threads must be at least 1, got " +
                    $"{parse.GetValue(users)}, {parse.GetValue(k)}, {parse.GetValue(batch)} and {parse.GetValue(threads)}");
            }
            var options = new RankingOptions { ExcludeHistory = true, BatchSize = parse.GetValue(batch), Threads = parse.GetValue(threads) };
            var count = Math.Min(parse.GetValue(users), splits.Sequences.Count);
            var histories = splits.Sequences.Take(count).Select(s => (ReadOnlyMemory<int>)s).ToArray();
            var reference = SeqRecRun.FitBaseline(record.Config with { Model = SeqRecModelKind.Popular }, splits);
            var (modelRate, modelCpuRate) = SeqRecBench.Measure(model, histories, parse.GetValue(k), parse.GetValue(repeats), options);
            var (referenceRate, _) = SeqRecBench.Measure(reference, histories, parse.GetValue(k), parse.GetValue(repeats), options);
            var result = new
            {
                Name = "seqrec-topk",
                Model = SeqRecRun.Name(record.Config.Model),
                Users = count,
                Items = splits.ItemCount,
                K = parse.GetValue(k),
                BatchSize = options.BatchSize,
                options.Threads,
                UsersPerS = modelRate,
                UsersPerCpuS = modelCpuRate,
                PopularUsersPerS = referenceRate,
                RatioToPopular = modelRate / referenceRate,
            };
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(result);
            }
            else
            {
                AnsiConsole.MarkupLine($"{result.Model}: {modelRate:F0} users/s for top-{result.K} over {result.Items} items " +
                    $"({result.RatioToPopular:F2}x most-popular's {referenceRate:F0} users/s measured in the same run; {modelCpuRate:F0} users per CPU-second)");
            }
            return 0;
        });
        return command;
    }

    /// <summary>A run's record, its data (re-read and hash-checked) and its model, ready to score.</summary>
    private static (RunRecord<SeqRecConfig> Record, SequenceSplits Splits, ISequenceRecommender Model) OpenRun(string runDirectory, string? dataPath = null)
    {
        var record = RunRecord<SeqRecConfig>.Read(runDirectory);
        var splits = SeqRecData.Load(dataPath ?? record.Data.Input(SeqRecRun.SequencesInput).Path);
        return (record, splits, SeqRecRun.LoadModel(runDirectory, record, splits));
    }

    private static SeqRecModelKind ParseModel(string name) => name switch
    {
        "popular" => SeqRecModelKind.Popular,
        "cooc" => SeqRecModelKind.Cooc,
        "sasrec" => SeqRecModelKind.Sasrec,
        _ => throw new ArgumentException($"--model: unknown model '{name}' (sasrec | popular | cooc)"),
    };

    private static void Report(
        bool asJson, string runDirectory, SeqRecConfig config, DataProvenance data, string split,
        IReadOnlyDictionary<string, double> metrics, RankingOptions evaluation, int bestEpoch, double? wallSeconds)
    {
        var historyRule = HistoryMasks.Describe(evaluation);
        if (asJson)
        {
            CliJson.WriteLine(new
            {
                Run = runDirectory,
                Model = SeqRecRun.Name(config.Model),
                config.Seed,
                Data = Path.GetFileName(data.File),
                Split = split,
                data.Users,
                data.Items,
                HistoryExcluded = evaluation.ExcludeHistory,
                HistoryRule = historyRule,
                Ties = FullRankingEvaluator.PessimisticTies,
                BestEpoch = bestEpoch,
                WallSeconds = wallSeconds,
                Metrics = metrics,
            });
            return;
        }
        var table = new Table().AddColumns(["split", .. metrics.Keys]);
        table.AddRow([split, .. metrics.Values.Select(v => v.ToString("F4"))]);
        AnsiConsole.MarkupLine($"[bold]{SeqRecRun.Name(config.Model)}[/] on {Path.GetFileName(data.File)} ({data.Users} users, {data.Items} items), seed {config.Seed}, " +
            $"history rule {historyRule.EscapeMarkup()}, best epoch {bestEpoch}{(wallSeconds is { } w ? $", {w:F1} s" : "")}, run {runDirectory.EscapeMarkup()}");
        AnsiConsole.Write(table);
    }

    // Progress goes to stderr, so --json output on stdout stays one object per line.
    internal static T WithProgress<T>(Func<IProgressReporter, T> work) => work(ProgressReporter.ForStandardError());
}
