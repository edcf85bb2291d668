// The embedded deployment's durable state, one SQLite database in WAL mode: the event log, the exactly-once ledger of
// applied event ids, the pipeline's own view of members, posts, counters and histories, the prompt store, the
// embedding store, the two queues between stages, the dead letters, and each stage's cursor. A stage's effect and the
// advance of its input are one transaction, so a process killed at any point resumes where its last commit left it.
using Microsoft.Data.Sqlite;

namespace Lodestar.Pipelines.Store;

/// <summary>Whose prompt or embedding a row holds.</summary>
public enum EntityKind
{
    Member = 0,
    Post = 1,
}

public readonly record struct EntityKey(EntityKind Kind, long Id)
{
    public override string ToString() => $"{(Kind == EntityKind.Member ? "member" : "post")} {Id}";
}

public sealed class NearlineStore
{
    public const string FileName = "nearline.db";

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS events(seq INTEGER PRIMARY KEY, id TEXT NOT NULL, ingested_us INTEGER NOT NULL, body TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS applied(id TEXT PRIMARY KEY) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS dead_letters(seq INTEGER PRIMARY KEY, event_seq INTEGER NOT NULL, body TEXT NOT NULL, reason TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS members(id INTEGER PRIMARY KEY, body TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS posts(id INTEGER PRIMARY KEY, body TEXT NOT NULL, deleted INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS post_counts(id INTEGER PRIMARY KEY, impressions INTEGER NOT NULL, clicks INTEGER NOT NULL, likes INTEGER NOT NULL,
            comments INTEGER NOT NULL, shares INTEGER NOT NULL, positives INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS history(member INTEGER NOT NULL, impression INTEGER NOT NULL, time INTEGER NOT NULL, post INTEGER NOT NULL,
            actions INTEGER NOT NULL, PRIMARY KEY(member, impression)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS prompts(kind INTEGER NOT NULL, id INTEGER NOT NULL, version INTEGER NOT NULL, created INTEGER NOT NULL,
            text TEXT NOT NULL, tokens BLOB NOT NULL, PRIMARY KEY(kind, id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS prompt_changes(seq INTEGER PRIMARY KEY, kind INTEGER NOT NULL, id INTEGER NOT NULL, version INTEGER NOT NULL,
            priority INTEGER NOT NULL, source_us INTEGER NOT NULL, cause TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS prompt_changes_by_priority ON prompt_changes(priority DESC, seq);
        CREATE TABLE IF NOT EXISTS embeddings(kind INTEGER NOT NULL, id INTEGER NOT NULL, version INTEGER NOT NULL, vector BLOB NOT NULL,
            PRIMARY KEY(kind, id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS index_queue(seq INTEGER PRIMARY KEY, id INTEGER NOT NULL, deleted INTEGER NOT NULL, created INTEGER NOT NULL,
            source_us INTEGER NOT NULL, cause TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS cursors(stage TEXT PRIMARY KEY, seq INTEGER NOT NULL);
        """;

    private NearlineStore(string directory) => Directory = directory;

    public string Directory { get; }

    public string DatabasePath => Path.Combine(Directory, FileName);

    /// <summary>Opens (creating when absent) the store in <paramref name="directory"/>.</summary>
    public static NearlineStore Open(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        var store = new NearlineStore(directory);
        using var connection = store.Connect();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, Schema);
        return store;
    }

    /// <summary>A connection of its own for one stage: WAL readers never block the writer; a writer waits for another's commit.</summary>
    public SqliteConnection Connect()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        // NORMAL in WAL mode: a commit survives the process being killed (it is in the OS's cache), not a power cut.
        Execute(connection, "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=OFF;");
        return connection;
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, sql, transaction, parameters);
        command.ExecuteNonQuery();
    }

    public static long Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, sql, transaction, parameters);
        var result = command.ExecuteScalar();
        return result is null or DBNull ? 0 : Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? transaction, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command;
    }

    public static string? Meta(SqliteConnection connection, string key)
    {
        using var command = Command(connection, "SELECT value FROM meta WHERE key = $key", null, [("$key", key)]);
        return command.ExecuteScalar() as string;
    }

    public static void SetMeta(SqliteConnection connection, string key, string value, SqliteTransaction? transaction = null) =>
        Execute(connection, "INSERT INTO meta(key, value) VALUES($key, $value) ON CONFLICT(key) DO UPDATE SET value = excluded.value", transaction,
            ("$key", key), ("$value", value));

    public static long Cursor(SqliteConnection connection, string stage, SqliteTransaction? transaction = null) =>
        Scalar(connection, "SELECT seq FROM cursors WHERE stage = $stage", transaction, ("$stage", stage));

    public static void SetCursor(SqliteConnection connection, string stage, long seq, SqliteTransaction transaction) =>
        Execute(connection, "INSERT INTO cursors(stage, seq) VALUES($stage, $seq) ON CONFLICT(stage) DO UPDATE SET seq = excluded.seq", transaction,
            ("$stage", stage), ("$seq", seq));

    /// <summary>Int32 token ids as little-endian bytes, and back.</summary>
    public static byte[] TokenBytes(ReadOnlySpan<int> tokens) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(tokens).ToArray();

    public static int[] Tokens(byte[] bytes) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes).ToArray();

    public static byte[] VectorBytes(ReadOnlySpan<float> vector) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector).ToArray();

    public static float[] Vector(byte[] bytes) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    /// <summary>Microseconds since the Unix epoch, the clock freshness is measured on.</summary>
    public static long NowMicros() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
}
