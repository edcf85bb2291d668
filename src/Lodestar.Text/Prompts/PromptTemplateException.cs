// The error every template problem raises: it names the template, the file line and the field, so the
// author can go straight to the offending entry.
namespace Lodestar.Text.Prompts;

public sealed class PromptTemplateException : Exception
{
    public PromptTemplateException(string origin, int line, string? field, string problem)
        : base(field is null ? $"template {origin}, line {line}: {problem}" : $"template {origin}, line {line}, field '{field}': {problem}")
    {
        Origin = origin;
        Line = line;
        Field = field;
    }

    public PromptTemplateException()
    {
        Origin = "";
    }

    public PromptTemplateException(string message) : base(message)
    {
        Origin = "";
    }

    public PromptTemplateException(string message, Exception inner) : base(message, inner)
    {
        Origin = "";
    }

    public string Origin { get; }

    public int Line { get; }

    public string? Field { get; }
}
