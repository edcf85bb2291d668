// `lodestar quickstart`: runs Experiments' Quickstart (a small world, both teachers and the student trained,
// evaluated, an HTML report with a JSON beside it) and prints each model's figures.
using System.CommandLine;
using Lodestar.Core.Progress;
using Lodestar.Experiments;
using Lodestar.Serving;
using Lodestar.Training.Loop;

namespace Lodestar.Cli;

public static class QuickstartCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for the world, the runs and the report.", DefaultValueFactory = _ => new DirectoryInfo("quickstart") };
        var members = new Option<int>("--members") { Description = "Members of the generated world.", DefaultValueFactory = _ => 6_000 };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs of each model.", DefaultValueFactory = _ => 3 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the world and the models.", DefaultValueFactory = _ => 1UL };
        var withExperiment = new Option<bool>("--experiment") { Description = "Also run the multi-teacher experiment (four more students) into the report." };
        var serve = new Option<bool>("--serve") { Description = "Then serve the models over HTTP (feeds and job matches, the explorer at /) until Ctrl+C, like `lodestar serve`." };
        var urls = new Option<string[]>("--urls") { Description = "With --serve: addresses to listen on.", DefaultValueFactory = _ => ["http://127.0.0.1:8080"], AllowMultipleArgumentsPerToken = true };
        var json = CliJson.CreateOption();
        var command = new Command("quickstart", "Generate a small world; train the policy teacher, click teacher and distilled student, evaluate them and write an HTML report; "
            + "the student goes into models/job-student/ and the feed retrieval encoder and ranker are trained into models/ beside it; with --serve, serve them.");
        foreach (var option in new Option[] { output, members, epochs, seed, withExperiment, serve, urls, json })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var asJson = parse.GetValue(json);
            var directory = parse.GetValue(output)!.FullName;
            var result = Run(directory, parse.GetValue(members), parse.GetValue(epochs), parse.GetValue(seed), parse.GetValue(withExperiment), asJson);
            if (asJson)
            {
                CliJson.WriteLine(result);
            }
            else
            {
                Console.Out.WriteLine($"report: {result.Report}");
                Console.Out.WriteLine($"numbers: {result.Json}");
                Console.Out.WriteLine($"served models: {result.Models} (feed reports: {string.Join(", ", result.FeedReports)})");
            }
            if (!parse.GetValue(serve))
            {
                return 0;
            }
            var clock = System.Diagnostics.Stopwatch.StartNew();
            return ServeCommand.Serve(ServingModels.Load(result.Models), result.World, Path.Combine(directory, "state"), parse.GetValue(urls)!, new ServingOptions(), asJson, clock);
        });
        return command;
    }

    public sealed record QuickstartResult(string Report, string Json, string World, string Models, IReadOnlyList<string> FeedReports, double Seconds);

    /// <summary>Speed rounds inside the quickstart (Quickstart.SpeedRounds).</summary>
    public const int QuickstartSpeedRounds = Quickstart.SpeedRounds;

    public static QuickstartResult Run(string directory, int members, int epochs, ulong seed, bool experiment, bool asJson)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var log = asJson ? Console.Error : Console.Out;
        var outcome = Quickstart.Run(new QuickstartOptions(directory, members, epochs, seed, experiment), log.WriteLine, ProgressReporter.ForStandardError());
        var (report, evaluation, rows) = (outcome.Report, outcome.Evaluation, outcome.Experiment);
        foreach (var model in evaluation.Models)
        {
            log.WriteLine(System.Text.Json.JsonSerializer.Serialize(EvalCommand.Summary(model, evaluation), CliJson.Options));
        }
        if (rows is not null)
        {
            ExperimentCommand.Print(rows, asJson);
        }
        string[] feedReports = [Path.Combine(outcome.Models, Core.ModelFolders.Retrieval, RunReport.FileName), Path.Combine(outcome.Models, Core.ModelFolders.FeedRanker, RunReport.FileName)];
        return new QuickstartResult(report, Path.ChangeExtension(report, ".json"), outcome.World, outcome.Models, feedReports, clock.Elapsed.TotalSeconds);
    }
}
