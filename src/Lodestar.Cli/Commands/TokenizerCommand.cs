// PLACEHOLDER: `lodestar tokenizer ...`. Replaced by the work that owns it before this lands on main.
using System.CommandLine;

namespace Lodestar.Cli;

public static class TokenizerCommand
{
    public static Command Create() => new("tokenizer", "(not built yet)");
}
