// Shared plumbing of the line-based readers: numbered lines, split on a separator, with parse helpers
// that raise DataFormatException naming file, line and field.
using System.Globalization;
using System.Text;
using Lodestar.Data.Storage;

namespace Lodestar.Data.Readers;

internal static class DelimitedLines
{
    /// <summary>Every non-empty line of <paramref name="path"/> with its 1-based number.</summary>
    public static IEnumerable<(long Line, string Text)> Read(string path, Encoding? encoding = null)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: file not found", path);
        }
        using var reader = new StreamReader(path, encoding ?? Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
        long number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length > 0)
            {
                yield return (number, line);
            }
        }
    }

    public static long ParseLong(string text, string file, long line, string field)
    {
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new DataFormatException(file, line, field, $"'{Shorten(text)}' is not an integer");
    }

    public static float ParseFloat(string text, string file, long line, string field)
    {
        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value)
            ? value
            : throw new DataFormatException(file, line, field, $"'{Shorten(text)}' is not a number");
    }

    /// <summary>Parses an id with a one-letter prefix such as MIND's "N12345" or "U678".</summary>
    public static long ParsePrefixedId(string text, char prefix, string file, long line, string field)
    {
        if (text.Length < 2 || text[0] != prefix || !long.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new DataFormatException(file, line, field, $"'{Shorten(text)}' is not an id of the form {prefix}<digits>");
        }
        return value;
    }

    public static string[] Split(string text, string separator, int expected, string file, long line, bool atLeast = false)
    {
        var fields = text.Split(separator);
        if (atLeast ? fields.Length < expected : fields.Length != expected)
        {
            throw new DataFormatException(file, line, null, $"{fields.Length} fields separated by '{(separator == "\t" ? "\\t" : separator)}', expected {(atLeast ? "at least " : "")}{expected}");
        }
        return fields;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
