// Commands that moved when the command line became task-first (`lodestar match train`, `lodestar bench match`):
// the old spelling still parses, whatever follows it, and answers with one line naming the new one and exit code 2.
using System.CommandLine;

namespace Lodestar.Cli;

public static class MovedCommand
{
    /// <summary>The exit code of a moved command: a usage error.</summary>
    public const int ExitCode = 2;

    /// <summary>
    /// A hidden command at <paramref name="oldSpelling"/> (its last word is the command's name) that points to
    /// <paramref name="newSpelling"/>, or, when its first argument is one of <paramref name="subcommands"/>' old names,
    /// to that subcommand's new spelling.
    /// </summary>
    public static Command Create(string oldSpelling, string newSpelling, params (string Old, string New)[] subcommands)
    {
        var name = oldSpelling.Split(' ')[^1];
        var command = new Command(name, $"Moved: now `lodestar {newSpelling}`.") { Hidden = true, TreatUnmatchedTokensAsErrors = false };
        command.SetAction(parse =>
        {
            var rest = parse.UnmatchedTokens;
            var (from, to) = (oldSpelling, newSpelling);
            foreach (var (old, moved) in subcommands)
            {
                if (rest.Count > 0 && rest[0] == old)
                {
                    (from, to, rest) = ($"{oldSpelling} {old}", moved, [.. rest.Skip(1)]);
                    break;
                }
            }
            var arguments = rest.Count == 0 ? "" : " " + string.Join(' ', rest);
            Console.Error.WriteLine($"lodestar: `lodestar {from}` is now `lodestar {to}`; run `lodestar {to}{arguments}`");
            return ExitCode;
        });
        return command;
    }
}
