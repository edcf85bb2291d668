// The append-only event log of the embedded deployment: each line as it arrived, stamped with the wall-clock time it
// was appended (freshness is measured from there), numbered in arrival order. A redelivered event is appended again;
// the prompt stage's ledger of applied ids keeps it from counting twice.
using Microsoft.Data.Sqlite;

namespace Lodestar.Pipelines.Store;

public sealed class EventLog : IDisposable
{
    private readonly SqliteConnection _connection;

    public EventLog(NearlineStore store) => _connection = store.Connect();

    /// <summary>The sequence number of the last event appended (0 for an empty log).</summary>
    public long LastSeq => NearlineStore.Scalar(_connection, "SELECT COALESCE(MAX(seq), 0) FROM events");

    /// <summary>Appends the lines in one transaction, setting <paramref name="metaKey"/> to <paramref name="metaValue"/> in
    /// the same commit (a replay's position, so a resumed replay neither skips nor repeats). Returns the last seq.</summary>
    public long Append(IReadOnlyList<(string Id, string Line)> events, string? metaKey = null, string? metaValue = null)
    {
        using var transaction = _connection.BeginTransaction();
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO events(id, ingested_us, body) VALUES($id, $now, $body)";
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var now = command.Parameters.Add("$now", SqliteType.Integer);
        var body = command.Parameters.Add("$body", SqliteType.Text);
        var stamp = NearlineStore.NowMicros();
        foreach (var (eventId, line) in events)
        {
            id.Value = eventId;
            now.Value = stamp;
            body.Value = line;
            command.ExecuteNonQuery();
        }
        if (metaKey is not null)
        {
            NearlineStore.SetMeta(_connection, metaKey, metaValue ?? "", transaction);
        }
        var last = NearlineStore.Scalar(_connection, "SELECT last_insert_rowid()", transaction);
        transaction.Commit();
        return last;
    }

    public void Dispose() => _connection.Dispose();
}
