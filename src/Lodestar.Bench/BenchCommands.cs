// `lodestar bench ...`: measured speed of kernels and models, reported as ratios to references
// (the machine's FMA peak, PyTorch) measured in the same run.
using System.CommandLine;

namespace Lodestar.Bench;

public static class BenchCommands
{
    public static Command Create(BenchOutput output)
    {
        var bench = new Command("bench", "Measure Lodestar's speed on this machine.");
        bench.Subcommands.Add(PeakBench.Create(output));
        bench.Subcommands.Add(GemmBench.Create(output));
        bench.Subcommands.Add(AttentionBench.Create(output));
        bench.Subcommands.Add(IndexBench.Create(output));
        bench.Subcommands.Add(EmbedBench.Create(output));
        bench.Subcommands.Add(RetrievalHistoryBench.Create(output));
        bench.Subcommands.Add(FeedBench.Create(output));
        bench.Subcommands.Add(JobMatching.MatchCandidatesBench.Create(output));
        bench.Subcommands.Add(Serving.ServeBench.Create(output));
        foreach (var command in TransformerBench.Create(output))
        {
            bench.Subcommands.Add(command);
        }
        return bench;
    }
}
