// `lodestar bench ...`: measured speed of kernels and models, reported as ratios to references
// (the machine's FMA peak, PyTorch) measured in the same run.
using System.CommandLine;

namespace Lodestar.Cli;

public static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure Lodestar's speed on this machine.");
        bench.Subcommands.Add(PeakBench.Create());
        bench.Subcommands.Add(GemmBench.Create());
        bench.Subcommands.Add(AttentionBench.Create());
        foreach (var command in TransformerBench.Create())
        {
            bench.Subcommands.Add(command);
        }
        return bench;
    }
}
