// Bulk loading of JSONL files into SQLite: one prepared INSERT reused for every row, committed every
// 100k rows, with each record's original JSON line kept for the tables that store whole records.
using System.Text.Json.Serialization.Metadata;
using Lodestar.Data.Storage;
using Microsoft.Data.Sqlite;

namespace Lodestar.Data.Sqlite;

public sealed partial class SqliteWorldStore
{
    private const int RowsPerTransaction = 100_000;

    private static long Load<T>(SqliteConnection connection, string directory, string file, JsonTypeInfo<T> typeInfo, string table, int columns,
        Action<T, string, SqliteParameterCollection> bind, IProgress<(string Table, long Rows)>? progress)
    {
        var path = Path.Combine(directory, file);
        if (!File.Exists(path))
        {
            return 0;
        }
        using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO {table} VALUES ({string.Join(", ", Enumerable.Range(0, columns).Select(i => $"$p{i}"))})";
        for (var i = 0; i < columns; i++)
        {
            command.Parameters.Add(new SqliteParameter($"$p{i}", null));
        }
        command.Prepare();
        long rows = 0;
        var transaction = connection.BeginTransaction();
        command.Transaction = transaction;
        try
        {
            foreach (var (line, record) in ReadWithLines(path, typeInfo))
            {
                bind(record, line, command.Parameters);
                command.ExecuteNonQuery();
                if (++rows % RowsPerTransaction == 0)
                {
                    transaction.Commit();
                    transaction.Dispose();
                    transaction = connection.BeginTransaction();
                    command.Transaction = transaction;
                    progress?.Report((table, rows));
                }
            }
            transaction.Commit();
        }
        finally
        {
            transaction.Dispose();
        }
        progress?.Report((table, rows));
        return rows;
    }

    private static IEnumerable<(string Line, T Record)> ReadWithLines<T>(string path, JsonTypeInfo<T> typeInfo)
    {
        long number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }
            T? record;
            try
            {
                record = System.Text.Json.JsonSerializer.Deserialize(line, typeInfo);
            }
            catch (System.Text.Json.JsonException ex)
            {
                throw new DataFormatException(path, number, ex.Path, ex.Message.Split(" Path:")[0], ex);
            }
            yield return (line, record ?? throw new DataFormatException(path, number, null, "null record"));
        }
    }

    private static void Bind(SqliteParameterCollection parameters, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            parameters[i].Value = values[i] switch
            {
                null => DBNull.Value,
                bool b => b ? 1 : 0,
                var v => v,
            };
        }
    }
}
