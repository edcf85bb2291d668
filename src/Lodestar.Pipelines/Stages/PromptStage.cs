// Stage 1: events become prompts. Each event is applied exactly once (its id enters the ledger in the transaction
// that applies it), rejected with a reason into the dead letters when it cannot be applied, and every member or post
// it touches is rendered again; a prompt whose text changed gets the next version and a change record for stage 2.
// A post's prompt changes when its percentile bucket or age does; a member's when they engage or edit their profile.
using Lodestar.Features.Retrieval;
using Lodestar.Pipelines.Store;
using Lodestar.Text.Prompts;
using Microsoft.Data.Sqlite;

namespace Lodestar.Pipelines.Stages;

public sealed class PromptStage : IDisposable
{
    public const string Name = "prompts";

    private readonly SqliteConnection _connection;
    private readonly RetrievalPrompts _prompts;
    private readonly NearlineState _state;

    /// <param name="prompts">Renders members and posts exactly as the encoder was trained to read them.</param>
    /// <param name="history">Which impressions a member's prompt lists: the encoder's history mode.</param>
    public PromptStage(NearlineStore store, RetrievalPrompts prompts, HistoryMode history)
    {
        _connection = store.Connect();
        _prompts = prompts;
        _state = NearlineState.Load(_connection, history);
        Cursor = NearlineStore.Cursor(_connection, Name);
    }

    /// <summary>The seq of the last event this stage committed.</summary>
    public long Cursor { get; private set; }

    public StageCounters Counters { get; } = new();

    /// <summary>How the last <see cref="RunOnce"/> changed the prompt-change queue: changes written less those of deleted posts dropped.</summary>
    public int LastChanges { get; private set; }

    /// <summary>Index removals (deleted posts) committed by the last <see cref="RunOnce"/>.</summary>
    public int LastIndexOperations { get; private set; }

    /// <summary>The pipeline's view of a post's counters (for tests and audits).</summary>
    public PostStats? CountsOf(long post) => _state.Counts.GetValueOrDefault(post);

    /// <summary>Applies up to <paramref name="maxEvents"/> events after the cursor in one transaction; returns how many were read.</summary>
    public int RunOnce(int maxEvents)
    {
        var batch = ReadEvents(maxEvents);
        if (batch.Count == 0)
        {
            return 0;
        }
        using var transaction = _connection.BeginTransaction();
        using var writes = new StateWrites(_connection, transaction);
        var written = PromptBatch.Apply(_state, _prompts, [.. batch.Select(e => (e.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Ingested, e.Line))], writes, Counters);
        LastChanges = written - writes.ChangesDropped;
        LastIndexOperations = writes.PostsRemoved;
        Cursor = batch[^1].Seq;
        NearlineStore.SetCursor(_connection, Name, Cursor, transaction);
        transaction.Commit();
        return batch.Count;
    }

    private List<(long Seq, long Ingested, string Line)> ReadEvents(int maxEvents)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT seq, ingested_us, body FROM events WHERE seq > $cursor ORDER BY seq LIMIT $limit";
        command.Parameters.AddWithValue("$cursor", Cursor);
        command.Parameters.AddWithValue("$limit", maxEvents);
        using var reader = command.ExecuteReader();
        var batch = new List<(long, long, string)>();
        while (reader.Read())
        {
            batch.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2)));
        }
        return batch;
    }

    public void Dispose() => _connection.Dispose();

}

/// <summary>What one stage has done since it started.</summary>
public sealed class StageCounters
{
    public long Applied;
    public long Duplicates;
    public long Rejected;
    public long Changes;
    public long Batches;

    /// <summary>Stopwatch ticks spent in the stage's batches, and of those in the encoder (embedding stage only).</summary>
    public long BusyTicks;
    public long EncoderTicks;

    public double BusySeconds => (double)Interlocked.Read(ref BusyTicks) / System.Diagnostics.Stopwatch.Frequency;

    public double EncoderSeconds => (double)Interlocked.Read(ref EncoderTicks) / System.Diagnostics.Stopwatch.Frequency;

    public StageCounts Snapshot() => new(Applied, Duplicates, Rejected, Changes, Batches, BusySeconds, EncoderSeconds);
}

/// <summary>Counters of one stage: items taken, redeliveries skipped, rejections, effects written, batches, seconds busy
/// (in the encoder, for the embedding stage).</summary>
public sealed record StageCounts(long Applied, long Duplicates, long Rejected, long Changes, long Batches, double BusySeconds, double EncoderSeconds);
