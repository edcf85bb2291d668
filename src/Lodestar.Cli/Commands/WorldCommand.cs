// PLACEHOLDER: `lodestar world ...`. Replaced by the work that owns it before this lands on main.
using System.CommandLine;

namespace Lodestar.Cli;

public static class WorldCommand
{
    public static Command Create() => new("world", "(not built yet)");
}
