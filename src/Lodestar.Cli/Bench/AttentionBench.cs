// PLACEHOLDER owned by the kernels work: `lodestar bench attention`. Replaced before this lands on main.
using System.CommandLine;

namespace Lodestar.Cli;

public static class AttentionBench
{
    public static Command Create() => new("attention", "(not built yet)");
}
