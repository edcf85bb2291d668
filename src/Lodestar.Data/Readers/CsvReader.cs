// An RFC 4180 CSV reader: fields separated by commas, records by CRLF or LF, fields optionally quoted
// with '"' where quoted fields may hold commas, line breaks and doubled quotes (""). ESCO's export puts
// multi-line lists inside quotes, so a line-based split would corrupt it.
using System.Text;
using Lodestar.Data.Storage;

namespace Lodestar.Data.Readers;

public sealed class CsvReader : IDisposable
{
    private readonly TextReader _reader;
    private readonly string _file;
    private readonly StringBuilder _field = new();
    private long _line = 1;

    public CsvReader(TextReader reader, string file)
    {
        _reader = reader;
        _file = file;
    }

    public static CsvReader Open(string path) =>
        File.Exists(path) ? new CsvReader(new StreamReader(path, Encoding.UTF8), path) : throw new FileNotFoundException($"{path}: file not found", path);

    /// <summary>The physical line (1-based) on which the last record returned by <see cref="ReadRecord"/> started.</summary>
    public long RecordLine { get; private set; }

    /// <summary>Reads the next record, or null at end of input.</summary>
    public List<string>? ReadRecord()
    {
        if (_reader.Peek() < 0)
        {
            return null;
        }
        RecordLine = _line;
        var fields = new List<string>();
        _field.Clear();
        var quoted = false;
        var fieldStart = true;
        while (true)
        {
            var c = _reader.Read();
            if (quoted)
            {
                if (c < 0)
                {
                    throw new DataFormatException(_file, RecordLine, $"column {fields.Count + 1}", "quoted field is never closed");
                }
                if (c == '"')
                {
                    if (_reader.Peek() == '"')
                    {
                        _reader.Read();
                        _field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                        var next = _reader.Peek();
                        if (next is not (',' or '\r' or '\n' or -1))
                        {
                            throw new DataFormatException(_file, _line, $"column {fields.Count + 1}", $"unexpected '{(char)next}' after a closing quote");
                        }
                    }
                    continue;
                }
                if (c == '\n')
                {
                    _line++;
                }
                _field.Append((char)c);
                continue;
            }
            switch (c)
            {
                case '"' when fieldStart:
                    quoted = true;
                    fieldStart = false;
                    continue;
                case '"':
                    throw new DataFormatException(_file, _line, $"column {fields.Count + 1}", "a quote inside an unquoted field");
                case ',':
                    fields.Add(_field.ToString());
                    _field.Clear();
                    fieldStart = true;
                    continue;
                case '\r' when _reader.Peek() == '\n':
                    continue;
                case '\n' or '\r' or -1:
                    if (c >= 0)
                    {
                        _line++;
                    }
                    fields.Add(_field.ToString());
                    return fields;
                default:
                    _field.Append((char)c);
                    fieldStart = false;
                    continue;
            }
        }
    }

    /// <summary>Reads a header row and then every record as (line, fields by header name); a record whose
    /// field count differs from the header's is an error naming file and line.</summary>
    public IEnumerable<(long Line, IReadOnlyDictionary<string, string> Fields)> ReadWithHeader(BadLineLog? badLines = null)
    {
        badLines ??= BadLineLog.Strict;
        var header = ReadRecord() ?? throw new DataFormatException(_file, 1, null, "empty file: expected a header row");
        while (ReadRecord() is { } record)
        {
            if (record.Count == 1 && record[0].Length == 0)
            {
                continue;
            }
            if (record.Count != header.Count)
            {
                badLines.Report(new DataFormatException(_file, RecordLine, null, $"{record.Count} fields, header has {header.Count}"));
                continue;
            }
            var fields = new Dictionary<string, string>(header.Count, StringComparer.Ordinal);
            for (var i = 0; i < header.Count; i++)
            {
                fields[header[i]] = record[i];
            }
            yield return (RecordLine, fields);
        }
    }

    public void Dispose() => _reader.Dispose();
}
