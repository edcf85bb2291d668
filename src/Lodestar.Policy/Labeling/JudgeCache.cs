// The LLM judge's persistent cache: one SQLite row per (policy version, pair, model), written as soon
// as an answer is validated, so no pair is paid for twice and a crash loses at most the answers in flight.
using Microsoft.Data.Sqlite;

namespace Lodestar.Policy.Labeling;

public sealed class JudgeCache : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    public JudgeCache(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        Execute("""
            CREATE TABLE IF NOT EXISTS judgements (
                policy_version TEXT NOT NULL,
                pair TEXT NOT NULL,
                model TEXT NOT NULL,
                answer TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (policy_version, pair, model));
            """);
    }

    public long Count
    {
        get
        {
            lock (_gate)
            {
                using var command = _connection.CreateCommand();
                command.CommandText = "SELECT COUNT(*) FROM judgements";
                return (long)command.ExecuteScalar()!;
            }
        }
    }

    public string? Get(string policyVersion, string pair, string model)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT answer FROM judgements WHERE policy_version = $v AND pair = $p AND model = $m";
            command.Parameters.AddWithValue("$v", policyVersion);
            command.Parameters.AddWithValue("$p", pair);
            command.Parameters.AddWithValue("$m", model);
            return command.ExecuteScalar() as string;
        }
    }

    /// <summary>Stores an answer (committed before returning; WAL + synchronous=FULL survive a crash).</summary>
    public void Put(string policyVersion, string pair, string model, string answer)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                INSERT OR REPLACE INTO judgements (policy_version, pair, model, answer, created_at)
                VALUES ($v, $p, $m, $a, $t)
                """;
            command.Parameters.AddWithValue("$v", policyVersion);
            command.Parameters.AddWithValue("$p", pair);
            command.Parameters.AddWithValue("$m", model);
            command.Parameters.AddWithValue("$a", answer);
            command.Parameters.AddWithValue("$t", DateTime.UtcNow.ToString("O"));
            command.ExecuteNonQuery();
        }
    }

    public void Dispose() => _connection.Dispose();

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
