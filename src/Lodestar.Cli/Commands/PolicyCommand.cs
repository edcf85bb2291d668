// PLACEHOLDER: `lodestar policy ...`. Replaced by the work that owns it before this lands on main.
using System.CommandLine;

namespace Lodestar.Cli;

public static class PolicyCommand
{
    public static Command Create() => new("policy", "(not built yet)");
}
