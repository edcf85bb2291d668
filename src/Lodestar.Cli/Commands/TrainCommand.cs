// `lodestar match train policy-teacher|click-teacher|student --config C`: trains one job-matching model from a
// JSON config, with progress, checkpoints that resume after a kill, early stopping and a run record.
using System.CommandLine;
using Lodestar.Models.JobMatching;
using Lodestar.Training.JobMatching;
using Lodestar.Core.Progress;
using Lodestar.Features.JobMatching;
using Lodestar.Training.Loop;

namespace Lodestar.Cli;

public static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train a job-matching model (policy teacher, click teacher, or the distilled student).");
        command.Subcommands.Add(Role("policy-teacher", MatchRole.PolicyTeacher, "Transformer cross-encoder on policy labels: a head per policy dimension and the overall score."));
        command.Subcommands.Add(Role("click-teacher", MatchRole.ClickTeacher, "Apply-after-view model from the member's job history and the job, calibrated on validation."));
        command.Subcommands.Add(Role("student", MatchRole.Student, "Small model distilled from both teachers' cached outputs (and optional hard labels)."));
        return command;
    }

    private static Command Role(string name, MatchRole role, string description)
    {
        var config = new Option<FileInfo>("--config") { Description = "Run config JSON (snake_case keys of MatchTrainingConfig; absent keys keep defaults).", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Continue the run the config names from its last checkpoint (the config must be the run's own)." };
        var force = CliOptions.ForceRun();
        var json = CliJson.CreateOption();
        var command = new Command(name, description);
        command.Options.Add(config);
        command.Options.Add(resume);
        command.Options.Add(force);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var resolved = MatchTrainingConfig.Load(parse.GetValue(config)!.FullName);
            CliOptions.DiscardRunIfForced(parse.GetValue(force), parse.GetValue(resume), resolved.RunDirectory(role));
            var record = Run(role, resolved, resume: parse.GetValue(resume));
            Print(record, resolved.RunDirectory(role), parse.GetValue(json));
            return 0;
        });
        return command;
    }

    /// <summary>Prepares the data and trains one role (or continues it), with progress on standard error.</summary>
    public static RunRecord<MatchTrainingConfig> Run(MatchRole role, MatchTrainingConfig config, MatchDataSet? data = null, bool resume = false)
    {
        data ??= MatchPipeline.Prepare(config);
        return new MatchTrainer(role, config, data).Train(new LoopOptions(resume, Progress: ProgressReporter.ForStandardError()));
    }

    public static void Print(RunRecord<MatchTrainingConfig> record, string runDirectory, bool asJson)
    {
        if (asJson)
        {
            CliJson.WriteLine(new
            {
                record.Task, record.Status, record.StopReason, record.Parameters, record.BestEpoch, record.BestValidation, record.Test, record.WallSeconds, record.Epochs,
                Run = runDirectory,
            });
            return;
        }
        Console.Out.WriteLine(Describe(record));
    }

    /// <summary>One line for a run: status, parameters, best epoch and its selection metric, wall time.</summary>
    public static string Describe(RunRecord<MatchTrainingConfig> record) => record.Describe();
}
