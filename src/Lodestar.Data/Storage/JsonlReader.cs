// Streams records from a JSON Lines file. A line that is not valid JSON for the record type, leaves out a required
// field or holds a number no float can (RecordChecks), is a DataFormatException naming the file, the line and the JSON
// path of the bad field, or, when the BadLineLog allows skipping, a counted skip. Blank lines are ignored.
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Lodestar.Data.Storage;

public static class JsonlReader
{
    /// <summary>Reads every record of <paramref name="path"/> in order.</summary>
    public static IEnumerable<T> Read<T>(string path, JsonTypeInfo<T> typeInfo, BadLineLog? badLines = null) =>
        ReadWithText(path, typeInfo, badLines).Select(r => r.Record);

    /// <summary>Reads every record with the JSON text of its line (for stores that keep the record whole).</summary>
    public static IEnumerable<(string Text, T Record)> ReadWithText<T>(string path, JsonTypeInfo<T> typeInfo, BadLineLog? badLines = null)
    {
        badLines ??= BadLineLog.Strict;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: file not found", path);
        }
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        long lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }
            T? record;
            DataFormatException? error = null;
            try
            {
                record = JsonSerializer.Deserialize(line, typeInfo);
                if (record is null)
                {
                    error = new DataFormatException(path, lineNumber, null, "null record");
                }
                else if (RecordChecks.FirstProblem(record, typeInfo) is { } problem)
                {
                    error = problem.In(path, lineNumber);
                }
            }
            catch (JsonException ex)
            {
                record = default;
                error = new DataFormatException(path, lineNumber, ex.Path, ex.Message.Split(" Path:")[0], ex);
            }
            if (error is not null)
            {
                badLines.Report(error);
                continue;
            }
            yield return (line, record!);
        }
    }

    /// <summary>Writes all <paramref name="records"/> atomically and returns how many were written.</summary>
    public static long WriteAll<T>(string path, JsonTypeInfo<T> typeInfo, IEnumerable<T> records)
    {
        using var writer = new JsonlWriter<T>(path, typeInfo);
        foreach (var record in records)
        {
            writer.Write(record);
        }
        writer.Complete();
        return writer.Count;
    }
}
