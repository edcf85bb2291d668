// `lodestar match train|eval|experiment|score|first-stage`: job matching's commands. `score` has a trained model score a
// member's jobs from its checkpoint and the feature spec beside it, through Features and Models only; `first-stage`
// measures how many of the policy's best jobs the serving first stage hands the student.
using System.CommandLine;
using Lodestar.Core;
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
        command.Subcommands.Add(FirstStage());
        return command;
    }

    private static Command FirstStage()
    {
        var defaults = new Serving.ServingOptions();
        var world = new Option<DirectoryInfo>("--world") { Description = "The world whose members and jobs are measured.", Required = true };
        var members = new Option<int>("--members") { Description = "Members measured, spread evenly over the world's members by id.", DefaultValueFactory = _ => 300 };
        var candidates = new Option<int>("--candidates") { Description = "Jobs the first stage hands the student (serve --job-candidates).", DefaultValueFactory = _ => defaults.JobCandidates };
        var top = new Option<int>("--top") { Description = "How many of the policy's best eligible jobs each member's recall looks for.", DefaultValueFactory = _ => 10 };
        var policy = new Option<string>("--policy") { Description = "Policy file or built-in name whose overall score ranks the jobs.", DefaultValueFactory = _ => Policy.PolicyLoader.JobMatching };
        var json = CliJson.CreateOption();
        var command = new Command("first-stage", "Recall of the serving first stage: the share of the policy's best eligible jobs for a member that are among the jobs handed to the student (as of the world's last day).")
        {
            Options = { world, members, candidates, top, policy, json },
        };
        command.SetAction(parse =>
        {
            var directory = parse.GetValue(world)!.FullName;
            var count = parse.GetValue(members);
            if (count < 1)
            {
                throw new ArgumentException($"--members: {count} must be at least 1");
            }
            var snapshot = Text.Prompts.WorldSnapshot.Load(directory);
            var catalog = Serving.Jobs.JobCatalog.Load(directory, snapshot);
            var all = snapshot.Members.Values.OrderBy(m => m.Id).ToList();
            var sample = EvenSample.Of(all, count);
            var result = Serving.Jobs.FirstStageRecall.Measure(catalog, Policy.PolicyLoader.LoadJobPolicy(parse.GetValue(policy)!), sample, snapshot.LastDay,
                defaults.JobOpenDays, parse.GetValue(candidates), parse.GetValue(top));
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(result);
                return 0;
            }
            Console.Out.WriteLine($"{result.Members} members on day {result.Day}, {result.MeanEligible:F0} eligible jobs each on average: {result.Recall:P1} of the policy's top {result.Top} " +
                $"are among the first stage's {result.Candidates}; {result.OutsideLists:P1} of them share neither a required skill nor the occupation (the first stage cannot find those); " +
                $"policy overall of the top jobs kept {result.KeptOverall:F2}, missed {result.MissedOverall:F2}");
            return 0;
        });
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
