// The queries models make against world.db, each served by an index: a member's feed and job history in
// time order, the impressions of one day, and a member's ordered item interactions.
using Lodestar.Data.Schema;
using Microsoft.Data.Sqlite;

namespace Lodestar.Data.Sqlite;

public sealed partial class SqliteWorldStore
{
    private const string ImpressionColumns = "id, session_id, member_id, post_id, position, time, day, click, skip, long_dwell, \"like\", comment, share, dwell_seconds";

    /// <summary>A member's feed impressions, oldest first (index feed_impressions_member_time).</summary>
    public List<FeedImpression> MemberFeedHistory(long memberId) =>
        Impressions($"SELECT {ImpressionColumns} FROM feed_impressions WHERE member_id = $v ORDER BY time, id", memberId);

    /// <summary>All impressions of one day in id order (index feed_impressions_day).</summary>
    public List<FeedImpression> ImpressionsOfDay(int day) =>
        Impressions($"SELECT {ImpressionColumns} FROM feed_impressions WHERE day = $v ORDER BY id", day);

    /// <summary>A member's job events, oldest first (index job_events_member_time).</summary>
    public List<JobEvent> MemberJobHistory(long memberId)
    {
        using var command = Command("SELECT id, member_id, job_id, action, time, day FROM job_events WHERE member_id = $v ORDER BY time, id", memberId);
        using var reader = command.ExecuteReader();
        var result = new List<JobEvent>();
        while (reader.Read())
        {
            var action = System.Text.Json.JsonSerializer.Deserialize($"\"{reader.GetString(3)}\"", DataJson.Compact.JobAction);
            result.Add(new JobEvent(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), action, reader.GetInt64(4), reader.GetInt32(5)));
        }
        return result;
    }

    /// <summary>A member's item interactions in sequence order (primary key).</summary>
    public List<ItemInteraction> MemberItemHistory(long memberId)
    {
        using var command = Command("SELECT member_id, item_id, sequence, time, rating FROM item_interactions WHERE member_id = $v ORDER BY sequence", memberId);
        using var reader = command.ExecuteReader();
        var result = new List<ItemInteraction>();
        while (reader.Read())
        {
            result.Add(new ItemInteraction(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetFloat(4)));
        }
        return result;
    }

    /// <summary>Rows in a table (for checks and statistics).</summary>
    public long Count(string table)
    {
        if (!table.All(c => char.IsAsciiLetterLower(c) || c == '_'))
        {
            throw new ArgumentException($"'{table}' is not a table name", nameof(table));
        }
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>The query plan SQLite chooses, to check that a query uses its index.</summary>
    public string ExplainMemberFeedHistory()
    {
        using var command = Command($"EXPLAIN QUERY PLAN SELECT {ImpressionColumns} FROM feed_impressions WHERE member_id = $v ORDER BY time, id", 1L);
        using var reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(3));
        }
        return string.Join("; ", plan);
    }

    private List<FeedImpression> Impressions(string sql, long value)
    {
        using var command = Command(sql, value);
        using var reader = command.ExecuteReader();
        var result = new List<FeedImpression>();
        while (reader.Read())
        {
            result.Add(new FeedImpression(
                reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt32(4), reader.GetInt64(5), reader.GetInt32(6),
                reader.GetBoolean(7), reader.GetBoolean(8), reader.GetBoolean(9), reader.GetBoolean(10), reader.GetBoolean(11), reader.GetBoolean(12), reader.GetFloat(13)));
        }
        return result;
    }

    private SqliteCommand Command(string sql, long value)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$v", value);
        return command;
    }
}
