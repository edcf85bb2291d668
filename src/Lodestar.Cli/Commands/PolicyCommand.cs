// `lodestar policy ...`: the product policy as a working artifact — validate policy files, make a golden
// set, measure labeler agreement, expand a synthetic training set, diff policy versions, benchmark.
using System.CommandLine;
using Lodestar.Core.Progress;
using Lodestar.Data.Schema;
using Lodestar.Policy;
using Lodestar.Policy.Labeling;
using Lodestar.Text.Prompts;
using Spectre.Console;

namespace Lodestar.Cli;

public static partial class PolicyCommand
{
    public static Command Create()
    {
        var policy = new Command("policy", "Product policies: validate, golden sets, labeler agreement, synthetic expansion, diffs.");
        policy.Subcommands.Add(Validate());
        policy.Subcommands.Add(Golden());
        policy.Subcommands.Add(Agree());
        policy.Subcommands.Add(Expand());
        policy.Subcommands.Add(Diff());
        policy.Subcommands.Add(Bench());
        return policy;
    }

    private static Command Validate()
    {
        var files = new Argument<FileInfo[]>("files") { Description = "Policy YAML files (default: the embedded default policies).", Arity = ArgumentArity.ZeroOrMore };
        var json = CliJson.CreateOption();
        var command = new Command("validate", "Check policy files; every problem is printed as file:line:column: message.");
        command.Arguments.Add(files);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var asJson = parse.GetValue(json);
            var inputs = parse.GetValue(files) is { Length: > 0 } given
                ? given.Select(f => (Name: f.FullName, Text: File.Exists(f.FullName) ? File.ReadAllText(f.FullName) : throw new FileNotFoundException($"{f.FullName}: file not found")))
                : PolicyLoader.EmbeddedNames.Select(n => (Name: "embedded:" + n, Text: PolicyLoader.ReadEmbeddedText(n)));
            var all = new List<PolicyProblem>();
            foreach (var (name, text) in inputs)
            {
                var problems = PolicyLoader.Problems(name, text);
                all.AddRange(problems);
                var document = PolicyYamlReader.Read(name, text).Document;
                if (asJson)
                {
                    foreach (var problem in problems)
                    {
                        CliJson.WriteLine(new { file = problem.File, line = problem.Mark.Line, column = problem.Mark.Column, message = problem.Message });
                    }
                    CliJson.WriteLine(new { file = name, valid = problems.Count == 0, problems = problems.Count, version = problems.Count == 0 ? document?.VersionKey : null, dimensions = document?.Dimensions.Count });
                }
                else
                {
                    foreach (var problem in problems)
                    {
                        Console.Out.WriteLine(problem.ToString());
                    }
                    Console.Out.WriteLine(problems.Count == 0
                        ? $"{name}: valid ({document!.VersionKey}, {document.Dimensions.Count} dimensions, {document.Overall.Gates.Count} gates)"
                        : $"{name}: {problems.Count} problem(s)");
                }
            }
            if (all.Count > 0)
            {
                throw new PolicyException(all);
            }
            return 0;
        });
        return command;
    }

    private static Option<string> PolicyOption() =>
        new("--policy") { Description = "Policy YAML file, or the name of an embedded policy.", DefaultValueFactory = _ => PolicyLoader.JobMatching };

    private static Option<DirectoryInfo> WorldOption() =>
        new("--world") { Description = "World directory written by `lodestar world generate`.", Required = true };

    private static WorldSnapshot LoadWorld(DirectoryInfo directory) => WorldSnapshot.Load(directory.FullName);

    /// <summary>Runs work with progress on standard error (standard output stays for --json results).</summary>
    private static T WithProgress<T>(Func<IProgressReporter, T> work) => work(ProgressReporter.ForStandardError());

    private static CompiledPolicy<Member, Job> LoadPolicy(string pathOrName) => PolicyLoader.LoadJobPolicy(pathOrName);
}
