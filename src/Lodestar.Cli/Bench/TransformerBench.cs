// PLACEHOLDER owned by the engine work: `lodestar bench train-step|infer`. Replaced before this lands on main.
using System.CommandLine;

namespace Lodestar.Cli;

public static class TransformerBench
{
    public static IEnumerable<Command> Create() => [];
}
