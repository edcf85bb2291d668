// PLACEHOLDER owned by the kernels work: `lodestar bench peak`. Replaced before this lands on main.
using System.CommandLine;

namespace Lodestar.Cli;

public static class PeakBench
{
    public static Command Create() => new("peak", "(not built yet)");
}
