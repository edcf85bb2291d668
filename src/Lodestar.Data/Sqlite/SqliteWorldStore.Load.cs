// Bulk loading of JSONL files into SQLite: one prepared INSERT reused for every row, committed every
// 100k rows, with each record's original JSON line kept for the tables that store whole records.
using System.Text.Json.Serialization.Metadata;
using Lodestar.Core.Progress;
using Lodestar.Data.Storage;
using Microsoft.Data.Sqlite;

namespace Lodestar.Data.Sqlite;

public sealed partial class SqliteWorldStore
{
    private const int RowsPerTransaction = 100_000;

    private static long Load<T>(SqliteConnection connection, string directory, string file, JsonTypeInfo<T> typeInfo, string table, int columns,
        Action<T, string, SqliteParameterCollection> bind, IProgressReporter? progress)
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
        progress?.Start($"loading SQLite table {table}", 0);
        long rows = 0;
        var transaction = connection.BeginTransaction();
        command.Transaction = transaction;
        try
        {
            foreach (var (line, record) in JsonlReader.ReadWithText(path, typeInfo))
            {
                bind(record, line, command.Parameters);
                command.ExecuteNonQuery();
                if (++rows % RowsPerTransaction == 0)
                {
                    transaction.Commit();
                    transaction.Dispose();
                    transaction = connection.BeginTransaction();
                    command.Transaction = transaction;
                    progress?.Report(rows);
                }
            }
            transaction.Commit();
        }
        finally
        {
            transaction.Dispose();
        }
        progress?.Line($"loaded SQLite table {table}: {rows:N0} rows");
        return rows;
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
