// Runs a parsed command line and maps failures to exit codes: 1 for a bad input or failed job (with a
// one-line message on stderr), 2 for a usage error, 130 when cancelled with Ctrl+C.
using System.CommandLine;

namespace Lodestar.Cli;

public static class CommandRunner
{
    public static int Run(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
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
}
