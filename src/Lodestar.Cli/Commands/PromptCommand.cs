// PLACEHOLDER: `lodestar prompt ...`. Replaced by the work that owns it before this lands on main.
using System.CommandLine;

namespace Lodestar.Cli;

public static class PromptCommand
{
    public static Command Create() => new("prompt", "(not built yet)");
}
