// The embedded SQLite provider loads its native library and round-trips rows on this platform.
using Microsoft.Data.Sqlite;

namespace Lodestar.Data.Tests;

public class SqliteRuntimeTests
{
    [Fact]
    public void NativeSqliteRoundTripsARow()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lodestar-sqlite-{Guid.NewGuid():N}.db");
        try
        {
            using (var connection = new SqliteConnection($"Data Source={path}"))
            {
                connection.Open();
                using var create = connection.CreateCommand();
                create.CommandText = "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO t(name) VALUES ('lodestar');";
                create.ExecuteNonQuery();
                using var read = connection.CreateCommand();
                read.CommandText = "SELECT name FROM t WHERE id = 1";
                Assert.Equal("lodestar", read.ExecuteScalar());
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(path);
        }
    }
}
