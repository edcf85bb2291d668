// `lodestar match train|eval|experiment|score`: job matching's commands. `score` has a trained model score a
// member's jobs from its checkpoint and the feature spec beside it, through Features and Models only.
using System.CommandLine;
using Lodestar.Features.JobMatching;
using Lodestar.Models.JobMatching;
using Spectre.Console;

namespace Lodestar.Cli;

public static class MatchCommand
{
    public static Command Create()
    {
        var command = new Command("match", "Job matching: train the policy teacher, click teacher and student, evaluate them, run the multi-teacher experiment, score a member's jobs.");
        command.Subcommands.Add(TrainCommand.Create());
        command.Subcommands.Add(EvalCommand.Create());
        command.Subcommands.Add(ExperimentCommand.Create());
        command.Subcommands.Add(Score());
        return command;
    }

    private static Command Score()
    {
        var run = new Option<DirectoryInfo>("--run") { Description = "A model's run directory (models/job-student, runs/policy-teacher, ...): best.safetensors, features.json, tokenizer.json.", Required = true };
        var member = new Option<long>("--member") { Description = "Member id in the run's world.", Required = true };
        var jobs = new Option<long[]>("--jobs") { Description = "Job ids to score (default: every job of the world).", AllowMultipleArgumentsPerToken = true };
        var top = new Option<int>("--top") { Description = "How many of the best jobs to print.", DefaultValueFactory = _ => 10 };
        var json = CliJson.CreateOption();
        var command = new Command("score", "Score a member's jobs with a trained model, best policy overall score first (as of the world's last day).")
        {
            Options = { run, member, jobs, top, json },
        };
        command.SetAction(parse =>
        {
            var directory = parse.GetValue(run)!.FullName;
            var count = parse.GetValue(top);
            if (count < 1)
            {
                throw new ArgumentException($"--top: {count} must be at least 1");
            }
            var model = MatchModel.Load(Path.Combine(directory, MatchModel.BestFile));
            var prompts = MatchFeatureSpec.OpenPrompts(directory, model.Config.MaxTokens);
            var memberId = parse.GetValue(member);
            var requested = parse.GetValue(jobs);
            var scores = MatchScorer.ScoreJobs(model, prompts, memberId, requested is { Length: > 0 } ? requested : null);
            var best = scores.Take(count).ToList();
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(new
                {
                    Member = memberId,
                    Model = model.CheckpointKind,
                    Scored = scores.Count,
                    Jobs = best.Select(s => new { Job = s.JobId, s.Title, s.Overall, s.Apply }),
                });
                return 0;
            }
            var table = new Table().AddColumns("rank", "job", "title", "overall", "apply");
            for (var i = 0; i < best.Count; i++)
            {
                table.AddRow($"{i + 1}", $"{best[i].JobId}", Markup.Escape(best[i].Title), $"{best[i].Overall:F4}", $"{best[i].Apply:F4}");
            }
            Console.Out.WriteLine($"member {memberId}: {scores.Count} jobs scored by {model.CheckpointKind}");
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
