// `lodestar world ...`: generate a simulated professional network with known ground truth, import real
// data sets (MIND, sequential `uid item...`, MovieLens) into the same storage, and print statistics.
using System.CommandLine;
using Lodestar.Data.Generation;
using Lodestar.Data.Vocabularies;
using Spectre.Console;

namespace Lodestar.Cli;

public static class WorldCommand
{
    public static Command Create()
    {
        var world = new Command("world", "Generate a simulated professional network, import real data sets, print statistics.");
        world.Subcommands.Add(CreateGenerate());
        return world;
    }

    private static Command CreateGenerate()
    {
        var defaults = new WorldConfig();
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory to write the world into (JSONL, manifest, truth/).", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "Master seed: the same seed gives byte-identical files.", DefaultValueFactory = _ => defaults.Seed };
        var members = new Option<int>("--members") { Description = "Number of members.", DefaultValueFactory = _ => defaults.Members };
        var days = new Option<int>("--days") { Description = "Simulated days of activity.", DefaultValueFactory = _ => defaults.Days };
        var threads = new Option<int>("--threads") { Description = "Worker threads (0 = all cores); does not change the output.", DefaultValueFactory = _ => 0 };
        var esco = new Option<DirectoryInfo?>("--esco") { Description = "ESCO CSV export directory (occupations_en.csv, skills); default: Lodestar's built-in vocabulary." };
        var sqlite = new Option<bool>("--sqlite") { Description = "Also load the world into world.db (SQLite) with its indexes." };
        var json = CliJson.CreateOption();
        var command = new Command("generate", "Generate a seeded, deterministic world with ground truth.");
        foreach (var option in new Option[] { output, seed, members, days, threads, esco, sqlite, json })
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
            };
            config.Validate();
            var escoDirectory = parse.GetValue(esco);
            var vocabulary = escoDirectory is null ? BuiltInVocabulary.Create() : EscoVocabulary.Load(escoDirectory.FullName);
            var directory = parse.GetValue(output)!.FullName;
            var asJson = parse.GetValue(json);
            var report = WithProgress(asJson, "generate", progress => WorldGenerator.Generate(config, vocabulary, directory, progress));
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
                    peak_memory_mb = report.PeakMemoryBytes / (1024 * 1024),
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
                AnsiConsole.MarkupLineInterpolated($"{report.Events:N0} events in {report.Seconds:F1} s: [bold]{report.EventsPerSecond:N0} events/s[/], peak memory {report.PeakMemoryBytes / (1024 * 1024):N0} MB");
            }
            return 0;
        });
        return command;
    }

    /// <summary>Runs <paramref name="work"/> with a progress display on stderr (stdout stays clean for --json).</summary>
    private static T WithProgress<T>(bool asJson, string title, Func<IProgress<GenerationProgress>, T> work)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(asJson ? Console.Error : Console.Out) });
        T result = default!;
        console.Progress().AutoClear(true).Start(context =>
        {
            var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
            var progress = new SynchronousProgress(update =>
            {
                lock (tasks)
                {
                    if (!tasks.TryGetValue(update.Stage, out var task))
                    {
                        tasks[update.Stage] = task = context.AddTask($"{title}: {update.Stage}", maxValue: Math.Max(1, update.Total));
                    }
                    task.Value = update.Done;
                }
            });
            result = work(progress);
        });
        return result;
    }

    private sealed class SynchronousProgress(Action<GenerationProgress> report) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => report(value);
    }
}
