// The one exception every reader throws for malformed input: it names the file, the 1-based line and,
// when known, the field, so a user can open the file and fix the line.
namespace Lodestar.Data.Storage;

public sealed class DataFormatException : Exception
{
    public DataFormatException(string file, long line, string? field, string problem, Exception? inner = null)
        : base(Describe(file, line, field, problem), inner)
    {
        File = file;
        Line = line;
        Field = field;
        Problem = problem;
    }

    public DataFormatException()
    {
        File = "";
        Problem = "";
    }

    public DataFormatException(string message) : base(message)
    {
        File = "";
        Problem = message;
    }

    public DataFormatException(string message, Exception inner) : base(message, inner)
    {
        File = "";
        Problem = message;
    }

    public string File { get; }

    public long Line { get; }

    public string? Field { get; }

    public string Problem { get; }

    private static string Describe(string file, long line, string? field, string problem) =>
        field is null ? $"{file}:{line}: {problem}" : $"{file}:{line}: field '{field}': {problem}";
}
