// The prompt stage's writes inside one transaction, each a prepared statement: the ledger of applied event ids, the
// mirrored state, new prompt versions with their change records, index removals, and dead letters.
using System.Text.Json;
using Lodestar.Data.Schema;
using Lodestar.Pipelines.Store;
using Lodestar.Text.Prompts;
using Microsoft.Data.Sqlite;

namespace Lodestar.Pipelines.Stages;

internal sealed class StateWrites : IPromptSink, IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly Dictionary<string, SqliteCommand> _commands = [];

    public StateWrites(SqliteConnection connection, SqliteTransaction transaction) => (_connection, _transaction) = (connection, transaction);

    /// <summary>Posts removed in this transaction: operations queued for the index.</summary>
    public int PostsRemoved { get; private set; }

    /// <summary>Queued prompt changes of removed posts, dropped from the queue in this transaction.</summary>
    public int ChangesDropped { get; private set; }

    /// <summary>Enters the id in the ledger; false when it was there already (a redelivery).</summary>
    public bool MarkApplied(string id) => Run("INSERT OR IGNORE INTO applied(id) VALUES($a)", id) == 1;

    public void DeadLetter(string position, string line, string reason) =>
        Run("INSERT INTO dead_letters(event_seq, body, reason) VALUES($a, $b, $c)", long.Parse(position, System.Globalization.CultureInfo.InvariantCulture), line, reason);

    public void Member(Member member) =>
        Run("INSERT INTO members(id, body) VALUES($a, $b) ON CONFLICT(id) DO UPDATE SET body = excluded.body",
            member.Id, JsonSerializer.Serialize(member, DataJson.Compact.Member));

    public void Post(Post post, bool deleted) =>
        Run("INSERT INTO posts(id, body, deleted) VALUES($a, $b, $c) ON CONFLICT(id) DO UPDATE SET body = excluded.body, deleted = excluded.deleted",
            post.Id, JsonSerializer.Serialize(post, DataJson.Compact.Post), deleted ? 1 : 0);

    /// <summary>A deleted post leaves the prompt and embedding stores, its pending changes are dropped, and the index is told.</summary>
    public void RemovePost(long post)
    {
        PostsRemoved++;
        Run("DELETE FROM prompts WHERE kind = 1 AND id = $a", post);
        ChangesDropped += Run("DELETE FROM prompt_changes WHERE kind = 1 AND id = $a", post);
        Run("DELETE FROM embeddings WHERE kind = 1 AND id = $a", post);
        Run("INSERT INTO index_queue(id, deleted, created, source_us, cause) VALUES($a, 1, 0, $b, 'post_deleted')", post, NearlineStore.NowMicros());
    }

    public void Counts(long post, PostStats c) =>
        Run("""
            INSERT INTO post_counts(id, impressions, clicks, likes, comments, shares, positives) VALUES($a, $b, $c, $d, $e, $f, $g)
            ON CONFLICT(id) DO UPDATE SET impressions = excluded.impressions, clicks = excluded.clicks, likes = excluded.likes,
                comments = excluded.comments, shares = excluded.shares, positives = excluded.positives
            """, post, c.Impressions, c.Clicks, c.Likes, c.Comments, c.Shares, c.Positives);

    public void History(HistoryEntry e, bool listed) =>
        Run("INSERT OR IGNORE INTO history(member, impression, time, post, actions) VALUES($a, $b, $c, $d, $e)", e.Member, e.Impression, e.Time, e.Post, e.Actions);

    /// <summary>Stores a prompt version and queues it for embedding.</summary>
    public void Prompt(EntityKey key, int version, long created, PromptTouch touch, string text, int[] tokens)
    {
        Run("""
            INSERT INTO prompts(kind, id, version, created, text, tokens) VALUES($a, $b, $c, $d, $e, $f)
            ON CONFLICT(kind, id) DO UPDATE SET version = excluded.version, text = excluded.text, tokens = excluded.tokens
            """, (int)key.Kind, key.Id, version, created, text, NearlineStore.TokenBytes(tokens));
        Run("INSERT INTO prompt_changes(kind, id, version, priority, source_us, cause) VALUES($a, $b, $c, $d, $e, $f)",
            (int)key.Kind, key.Id, version, Priority(key, touch.IsNew), touch.SourceMicros, touch.Cause);
    }

    /// <summary>The order in which stage 2 takes changes: new posts first (nothing can retrieve them yet), then new
    /// members, then refreshes of what is already searchable.</summary>
    public static int Priority(EntityKey key, bool isNew) => !isNew ? 0 : key.Kind == EntityKind.Post ? 2 : 1;

    private static readonly string[] s_names = ["$a", "$b", "$c", "$d", "$e", "$f", "$g"];

    private int Run(string sql, params object[] values)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = _connection.CreateCommand();
            command.Transaction = _transaction;
            command.CommandText = sql;
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters.Add(new SqliteParameter(s_names[i], values[i]));
            }
            command.Prepare();
            _commands[sql] = command;
        }
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }
        return command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
    }
}
