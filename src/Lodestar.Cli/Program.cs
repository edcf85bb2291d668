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
        var bench = BenchCommands.Create(benchOutput);
        bench.Subcommands.Add(EvalCommand.MatchSpeed());
        bench.Subcommands.Add(SeqRecCommand.CreateBench());
        root.Subcommands.Add(bench);
        root.Subcommands.Add(IndexCommand.Create(benchOutput));
        root.Subcommands.Add(WorldCommand.Create());
        root.Subcommands.Add(TokenizerCommand.Create());
        root.Subcommands.Add(PromptCommand.Create());
        root.Subcommands.Add(PolicyCommand.Create());
        root.Subcommands.Add(SeqRecCommand.Create());
        root.Subcommands.Add(MatchCommand.Create());
        root.Subcommands.Add(CompressCommand.Create());
        root.Subcommands.Add(RetrievalCommand.Create());
        root.Subcommands.Add(FeedCommand.Create());
        root.Subcommands.Add(NearlineCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(AuditCommand.Create());
        root.Subcommands.Add(ModelCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(QuickstartCommand.Create());
        root.Subcommands.Add(MovedCommand.Create("train", "match train"));
        root.Subcommands.Add(MovedCommand.Create("eval", "match eval", ("match-speed", "bench match"), ("match", "match eval")));
        root.Subcommands.Add(MovedCommand.Create("experiment", "match experiment", ("multi-teacher", "match experiment")));
        return CommandRunner.Run(root, args);
    }
}
