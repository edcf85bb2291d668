// `lodestar quickstart`: on a fresh clone, generates a small world, labels pairs with the default policy,
// trains both teachers and the student, evaluates them and writes an HTML report with a JSON beside it.
using System.CommandLine;
using Lodestar.Data.Generation;
using Lodestar.Data.Schema;
using Lodestar.Data.Vocabularies;
using Lodestar.Models.JobMatching;
using Lodestar.Training.JobMatching;
using Lodestar.Features.JobMatching;
using Lodestar.Training.Loop;
using Lodestar.Core.Progress;

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
        var json = CliJson.CreateOption();
        var command = new Command("quickstart", "Generate a small world, train the policy teacher, click teacher and distilled student, evaluate, and write an HTML report.");
        foreach (var option in new Option[] { output, members, epochs, seed, withExperiment, json })
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
            }
            return 0;
        });
        return command;
    }

    public sealed record QuickstartResult(string Report, string Json, double Seconds);

    /// <summary>Speed rounds inside the quickstart: each times the policy teacher at batch 64 too (≈ 30 s a round), so fewer
    /// than `match eval`'s default 5 keep the quickstart within its 10 minutes; `match eval --rounds N` re-measures.</summary>
    public const int QuickstartSpeedRounds = 3;

    public static QuickstartResult Run(string directory, int members, int epochs, ulong seed, bool experiment, bool asJson)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var log = asJson ? Console.Error : Console.Out;
        var world = Path.Combine(directory, "world");
        if (!File.Exists(Path.Combine(world, WorldManifest.FileName)))
        {
            log.WriteLine($"generating a world of {members} members in {world}");
            WorldGenerator.Generate(new WorldConfig { Members = members, Days = 30, Seed = seed }, BuiltInVocabulary.Create(), world);
        }
        var runs = Path.Combine(directory, "runs");
        var teacher = new MatchTrainingConfig
        {
            World = world, RunsDirectory = runs, Model = MatchModelConfig.Teacher with { Seed = seed },
            Training = MatchTrainingConfig.DefaultTraining with { Epochs = epochs, Patience = epochs, LearningRate = 1e-3f },
        };
        var click = teacher with { Model = MatchModelConfig.ClickTeacher with { Seed = seed } };
        log.WriteLine("tokenizing the world and labeling pairs with the default policy");
        var data = MatchPipeline.Prepare(teacher);
        var policyRecord = Train(MatchRole.PolicyTeacher, teacher, data);
        log.WriteLine(TrainCommand.Describe(policyRecord));
        var clickRecord = Train(MatchRole.ClickTeacher, click, data);
        log.WriteLine(TrainCommand.Describe(clickRecord));
        var student = teacher with
        {
            Model = MatchModelConfig.Student with { Seed = seed },
            Training = teacher.Training with { LearningRate = 2e-3f },
            PolicyTeacherRun = teacher.RunDirectory(MatchRole.PolicyTeacher),
            ClickTeacherRun = click.RunDirectory(MatchRole.ClickTeacher),
        };
        var studentRecord = Train(MatchRole.Student, student, data);
        log.WriteLine(TrainCommand.Describe(studentRecord));
        log.WriteLine("evaluating");
        var evaluation = MatchEvaluator.Evaluate(data, [
            (MatchRole.PolicyTeacher, teacher.RunDirectory(MatchRole.PolicyTeacher)),
            (MatchRole.ClickTeacher, click.RunDirectory(MatchRole.ClickTeacher)),
            (MatchRole.Student, student.RunDirectory(MatchRole.Student)),
        ], speedRounds: QuickstartSpeedRounds, log: log.WriteLine);
        var rows = experiment ? MultiTeacherExperiment.Run(student, data, [(int)seed], MultiTeacherExperiment.AllVariants, MatchSplit.Test, log.WriteLine) : null;
        var report = MatchReportWriter.Write(directory, evaluation, rows);
        foreach (var model in evaluation.Models)
        {
            log.WriteLine(System.Text.Json.JsonSerializer.Serialize(EvalCommand.Summary(model, evaluation), CliJson.Options));
        }
        if (rows is not null)
        {
            ExperimentCommand.Print(rows, asJson);
        }
        return new QuickstartResult(report, Path.ChangeExtension(report, ".json"), clock.Elapsed.TotalSeconds);
    }

    /// <summary>Trains one role, or continues it when an earlier quickstart into the same directory left it.</summary>
    private static RunRecord<MatchTrainingConfig> Train(MatchRole role, MatchTrainingConfig config, MatchDataSet data) =>
        new MatchTrainer(role, config, data).TrainOrContinue(ProgressReporter.ForStandardError());
}
