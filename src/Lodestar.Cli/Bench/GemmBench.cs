// PLACEHOLDER owned by the kernels work: `lodestar bench gemm`. Replaced before this lands on main.
using System.CommandLine;

namespace Lodestar.Cli;

public static class GemmBench
{
    public static Command Create() => new("gemm", "(not built yet)");
}
