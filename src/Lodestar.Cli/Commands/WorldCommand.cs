// `lodestar world ...`: generate a simulated professional network with known ground truth, import real
// data sets (MIND, sequential `uid item...`, MovieLens) into the same storage, and print statistics.
using System.CommandLine;
using Lodestar.Core;
using Lodestar.Core.Progress;
using Lodestar.Data.Generation;
using Lodestar.Data.Readers;
using Lodestar.Data.Schema;
using Lodestar.Data.Sqlite;
using Lodestar.Data.Stats;
using Lodestar.Data.Storage;
using Lodestar.Data.Vocabularies;
using Spectre.Console;

namespace Lodestar.Cli;

public static class WorldCommand
{
    public static Command Create()
    {
        var world = new Command("world", "Generate a simulated professional network, import real data sets, print statistics.");
        world.Subcommands.Add(CreateGenerate());
        world.Subcommands.Add(CreateImport());
        world.Subcommands.Add(CreateStats());
        return world;
    }

    private static Command CreateGenerate()
    {
        var defaults = new WorldConfig();
        var output = new Option<DirectoryInfo>("--out")
        {
            Description = "Directory to write the world into (JSONL, manifest, truth/): written beside it and swapped in when complete (an earlier world there is replaced only with --force).",
            Required = true,
        };
        var seed = new Option<ulong>("--seed") { Description = "Master seed: the same seed gives byte-identical files.", DefaultValueFactory = _ => defaults.Seed };
        var members = new Option<int>("--members") { Description = "Number of members.", DefaultValueFactory = _ => defaults.Members };
        var days = new Option<int>("--days") { Description = "Simulated days of activity.", DefaultValueFactory = _ => defaults.Days };
        var threads = new Option<int>("--threads") { Description = "Worker threads (0 = all cores); does not change the output.", DefaultValueFactory = _ => 0 };
        var posts = new Option<double>("--posts-per-member") { Description = "Posts per member over the window (a serving-scale world: more posts per member, not more members).", DefaultValueFactory = _ => defaults.PostsPerMember };
        var jobs = new Option<double>("--jobs-per-member") { Description = "Job postings per member over the window.", DefaultValueFactory = _ => defaults.JobsPerMember };
        var esco = new Option<DirectoryInfo?>("--esco") { Description = "ESCO CSV export directory (occupations_en.csv, skills); default: Lodestar's built-in vocabulary." };
        var sqlite = new Option<bool>("--sqlite") { Description = "Also load the world into world.db (SQLite) with its indexes." };
        var force = CliOptions.Force();
        var json = CliJson.CreateOption();
        var command = new Command("generate", "Generate a seeded, deterministic world with ground truth.");
        foreach (var option in new Option[] { output, seed, members, days, threads, posts, jobs, esco, sqlite, force, json })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var config = defaults with
            {
                Seed = parse.GetValue(seed),
                Members = parse.GetValue(members),
                Days = parse.GetValue(days),
                Threads = parse.GetValue(threads),
                PostsPerMember = parse.GetValue(posts),
                JobsPerMember = parse.GetValue(jobs),
            };
            config.Validate();
            var escoDirectory = parse.GetValue(esco);
            var vocabulary = escoDirectory is null ? BuiltInVocabulary.Create() : EscoVocabulary.Load(escoDirectory.FullName);
            var directory = parse.GetValue(output)!.FullName;
            var asJson = parse.GetValue(json);
            var cpuBefore = Environment.CpuUsage.TotalTime;
            var (report, sqliteRows) = StagedDirectory.Write(directory, WorldManifest.FileName, parse.GetValue(force), staging =>
                (WorldGenerator.Generate(config, vocabulary, staging, ProgressReporter.ForStandardError()), parse.GetValue(sqlite) ? BuildSqlite(staging) : null));
            var cpuSeconds = (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds;
            if (asJson)
            {
                CliJson.WriteLine(new
                {
                    directory,
                    config.Seed,
                    config.Members,
                    config.Days,
                    vocabulary = vocabulary.Source,
                    report.Counts,
                    report.Events,
                    seconds = Math.Round(report.Seconds, 3),
                    events_per_s = Math.Round(report.EventsPerSecond),
                    cpu_seconds = Math.Round(cpuSeconds, 3),
                    events_per_cpu_s = Math.Round(report.Events / Math.Max(1e-9, cpuSeconds)),
                    peak_memory_mb = report.PeakMemoryBytes / (1024 * 1024),
                    sqlite_rows = sqliteRows,
                });
            }
            else
            {
                var table = new Table().AddColumn("file").AddColumn(new TableColumn("records").RightAligned());
                foreach (var (file, count) in report.Counts)
                {
                    table.AddRow(file, count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
                }
                AnsiConsole.Write(table);
                AnsiConsole.MarkupLineInterpolated($"{report.Events:N0} events in {report.Seconds:F1} s ({cpuSeconds:F1} CPU s): [bold]{report.EventsPerSecond:N0} events/s[/], peak memory {report.PeakMemoryBytes / (1024 * 1024):N0} MB");
                if (sqliteRows is not null)
                {
                    AnsiConsole.MarkupLineInterpolated($"SQLite: {Path.Combine(directory, DataFiles.Sqlite)} ({sqliteRows.Values.Sum():N0} rows)");
                }
            }
            return 0;
        });
        return command;
    }

    private static Command CreateImport()
    {
        var import = new Command("import", "Import a real data set into a Lodestar data directory (same JSONL schema and manifest as generated worlds).");
        import.Subcommands.Add(CreateImportCommand("mind", "MIND: a directory with behaviors.tsv and news.tsv.", DataImporter.ImportMind));
        import.Subcommands.Add(CreateImportCommand("seq", "A sequence file, one line per user: `uid item1 ... itemN` (Amazon Beauty/Sports in the S3-Rec format).", DataImporter.ImportSequences));
        import.Subcommands.Add(CreateImportCommand("movielens", "MovieLens: a directory with u.data + u.item (ML-100K) or ratings.dat + movies.dat (ML-1M).", DataImporter.ImportMovieLens));
        return import;
    }

    private static Command CreateImportCommand(string name, string description, Func<string, string, BadLineLog, ImportReport> importer)
    {
        var input = new Option<FileSystemInfo>("--input") { Description = "The data set's file or directory.", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory to write the imported data into: written beside it and swapped in when complete (earlier data there is replaced only with --force).", Required = true };
        var skipBad = new Option<bool>("--skip-bad") { Description = "Skip malformed lines, counting and reporting them, instead of stopping at the first." };
        var sqlite = new Option<bool>("--sqlite") { Description = "Also load the data into world.db (SQLite) with its indexes." };
        var force = CliOptions.Force();
        var json = CliJson.CreateOption();
        var command = new Command(name, description);
        foreach (var option in new Option[] { input, output, skipBad, sqlite, force, json })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var source = parse.GetValue(input)!;
            if (!source.Exists)
            {
                throw new FileNotFoundException($"{source.FullName}: not found");
            }
            var directory = parse.GetValue(output)!.FullName;
            var asJson = parse.GetValue(json);
            var (report, sqliteRows) = StagedDirectory.Write(directory, WorldManifest.FileName, parse.GetValue(force), staging =>
                (importer(source.FullName, staging, new BadLineLog(parse.GetValue(skipBad))) with { Directory = directory }, parse.GetValue(sqlite) ? BuildSqlite(staging) : null));
            if (asJson)
            {
                CliJson.WriteLine(new { report.Source, report.Directory, report.Counts, skipped_bad_lines = report.SkippedBadLines, bad_line_examples = report.BadLineExamples, sqlite_rows = sqliteRows });
                return 0;
            }
            var table = new Table().AddColumn("count").AddColumn(new TableColumn("value").RightAligned());
            foreach (var (key, count) in report.Counts)
            {
                table.AddRow(key, count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
            }
            AnsiConsole.Write(table);
            if (report.SkippedBadLines > 0)
            {
                AnsiConsole.MarkupLineInterpolated($"[yellow]skipped {report.SkippedBadLines:N0} bad lines[/], for example:");
                foreach (var example in report.BadLineExamples)
                {
                    AnsiConsole.WriteLine("  " + example);
                }
            }
            return 0;
        });
        return command;
    }

    private static Command CreateStats()
    {
        var directory = new Option<DirectoryInfo>("--dir") { Description = "A Lodestar data directory (generated or imported).", Required = true };
        var json = CliJson.CreateOption();
        var command = new Command("stats", "Counts, history-length and popularity distributions, and action rates of a data directory.");
        command.Options.Add(directory);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var stats = WorldStats.Compute(parse.GetValue(directory)!.FullName);
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(stats);
                return 0;
            }
            AnsiConsole.MarkupLineInterpolated($"[bold]source[/] {stats.Source}");
            var counts = new Table().AddColumn("file").AddColumn(new TableColumn("records").RightAligned());
            foreach (var (file, count) in stats.Counts)
            {
                counts.AddRow(file, count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
            }
            AnsiConsole.Write(counts);
            var distributions = new Table().AddColumn("distribution");
            foreach (var column in new[] { "entities", "mean", "p50", "p90", "p99", "max", "top 1% share", "gini" })
            {
                distributions.AddColumn(new TableColumn(column).RightAligned());
            }
            foreach (var (label, d) in new[] { ("feed history length", stats.FeedHistoryLength), ("post popularity", stats.PostPopularity), ("item history length", stats.ItemHistoryLength), ("item popularity", stats.ItemPopularity) })
            {
                if (d is not null)
                {
                    distributions.AddRow(label, $"{d.Entities:N0}", $"{d.Mean:F2}", $"{d.P50}", $"{d.P90}", $"{d.P99}", $"{d.Max}", $"{d.TopPercentShare:P1}", $"{d.Gini:F3}");
                }
            }
            AnsiConsole.Write(distributions);
            foreach (var (label, rates) in new[] { ("feed actions per impression", stats.FeedActionRates), ("job actions per view", stats.JobActionRates) })
            {
                if (rates is not null)
                {
                    AnsiConsole.MarkupLineInterpolated($"[bold]{label}[/]: {string.Join(", ", rates.Select(r => $"{r.Key} {r.Value:P2}"))}");
                }
            }
            if (stats.MembersWithoutEvents is { } cold)
            {
                AnsiConsole.MarkupLineInterpolated($"[bold]members without events[/] (cold start): {cold:N0}");
            }
            return 0;
        });
        return command;
    }

    private static Dictionary<string, long> BuildSqlite(string directory) =>
        new(SqliteWorldStore.Build(directory, ProgressReporter.ForStandardError()));
}
