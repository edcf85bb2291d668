// Entry point of the `lodestar` command line: builds the command tree and turns any exception into a
// one-line message and a non-zero exit code (the only place in Lodestar that does so).
using System.CommandLine;
using Lodestar.Bench;

namespace Lodestar.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        CliConsole.Configure();
        var root = new RootCommand("Lodestar: LLM-era recommendation (job matching, feed retrieval, sequential ranking) in pure C#.");
        var benchOutput = new BenchOutput(CliJson.CreateOption, CliJson.WriteLine, CliConsole.For);
        root.Subcommands.Add(BenchCommands.Create(benchOutput));
        root.Subcommands.Add(IndexCommand.Create(benchOutput));
        root.Subcommands.Add(WorldCommand.Create());
        root.Subcommands.Add(TokenizerCommand.Create());
        root.Subcommands.Add(PromptCommand.Create());
        root.Subcommands.Add(PolicyCommand.Create());
        root.Subcommands.Add(SeqRecCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(MatchCommand.Create());
        root.Subcommands.Add(ModelCommand.Create());
        root.Subcommands.Add(ExperimentCommand.Create());
        root.Subcommands.Add(QuickstartCommand.Create());
        return CommandRunner.Run(root, args);
    }
}
