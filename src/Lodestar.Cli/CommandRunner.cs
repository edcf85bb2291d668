// Runs a parsed command line and maps failures to exit codes: 1 for a bad input or failed job (with a
// one-line message on stderr), 2 for a usage error, 130 when cancelled with Ctrl+C. A usage error never prints the
// help on stdout (a script reading --json output would read the help as its answer): one line per problem on stderr,
// naming the option and what it takes, and where the help is.
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace Lodestar.Cli;

public static partial class CommandRunner
{
    public const int UsageErrorCode = 2;

    public static int Run(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        // A request for help is answered whatever else the line lacks.
        var usage = parse.Action is System.CommandLine.Help.HelpAction ? [] : UsageErrors(parse);
        if (usage.Count > 0)
        {
            var command = CommandPath(parse);
            foreach (var problem in usage)
            {
                Console.Error.WriteLine($"{command}: {problem}");
            }
            Console.Error.WriteLine($"{command}: see `{command} --help`");
            return UsageErrorCode;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("lodestar: cancelled");
            return 130;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"lodestar: {ex.Message}");
            return 1;
        }
    }

    /// <summary>
    /// The parser's errors in words a user acts on, and any argument spelled like an option (`--bogus`): the parser takes
    /// an unknown option as a value of a command's argument (a file name), which then fails as something else.
    /// </summary>
    public static IReadOnlyList<string> UsageErrors(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var problems = parse.Errors.Select(e => e.Message.StartsWith("Required command was not provided", StringComparison.Ordinal)
            ? $"name a command: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}"
            : Reword(e.Message)).ToList();
        if (!command.TreatUnmatchedTokensAsErrors)
        {
            // A command that reads whatever follows it (a moved command naming its new spelling) answers for itself.
            return problems;
        }
        var unmatched = parse.UnmatchedTokens.ToHashSet(StringComparer.Ordinal);
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.Argument && token.Value.StartsWith("--", StringComparison.Ordinal) && token.Value.Length > 2 && !unmatched.Contains(token.Value))
            {
                problems.Add($"unknown option '{token.Value}'");
            }
        }
        return problems.Distinct().ToList();
    }

    private static string Reword(string message)
    {
        var typed = CannotParse().Match(message);
        if (typed.Success)
        {
            return $"{typed.Groups["option"].Value}: '{typed.Groups["value"].Value}' is not {Kind(typed.Groups["type"].Value)}";
        }
        var unmatched = Unrecognized().Match(message);
        if (!unmatched.Success)
        {
            return message;
        }
        var token = unmatched.Groups["token"].Value;
        return token.StartsWith('-') ? $"unknown option '{token}'" : $"unexpected argument '{token}'";
    }

    private static string Kind(string type) => type switch
    {
        "System.Int32" or "System.Int64" => "a whole number",
        "System.UInt32" or "System.UInt64" => "a whole number ≥ 0",
        "System.Single" or "System.Double" => "a number",
        "System.Boolean" => "true or false",
        _ when type.EndsWith("[]", StringComparison.Ordinal) => Kind(type[..^2]),
        _ => $"a value of the expected kind ({type[(type.LastIndexOf('.') + 1)..]})",
    };

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (SymbolResult? result = parse.CommandResult; result is CommandResult command; result = command.Parent)
        {
            names.Add(command.Command.Name);
        }
        names.Reverse();
        if (names.Count > 0)
        {
            names[0] = "lodestar";
        }
        return string.Join(' ', names);
    }

    [GeneratedRegex("^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']*)' as expected type '(?<type>[^']*)'")]
    private static partial Regex CannotParse();

    [GeneratedRegex("^Unrecognized command or argument '(?<token>.*)'")]
    private static partial Regex Unrecognized();
}
