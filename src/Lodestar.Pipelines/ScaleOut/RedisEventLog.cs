// Where events enter the scale-out deployment: appended to the event stream with the time they arrived, after waiting
// while the prompt workers are more than a capacity behind (backpressure: the stream stays bounded).
using Lodestar.Pipelines.Store;
using StackExchange.Redis;

namespace Lodestar.Pipelines.ScaleOut;

public sealed class RedisEventLog
{
    private readonly IDatabase _redis;
    private readonly RedisNames _names;
    private readonly int _capacity;

    public RedisEventLog(IDatabase redis, RedisNames names, int capacity = 8192)
    {
        (_redis, _names, _capacity) = (redis, names, capacity);
        RedisStreams.EnsureGroup(redis, names.Events, RedisNames.PromptGroup);
    }

    /// <summary>Appends the events in one round trip once the backlog leaves room for them; with <paramref name="position"/>, stores
    /// it in the position key in the same script (a replay's position, atomic with its events).</summary>
    public void Append(IReadOnlyList<(string Id, string Line)> events, CancellationToken cancel = default, long? position = null)
    {
        while (!HasRoomFor(events.Count))
        {
            cancel.ThrowIfCancellationRequested();
            Thread.Sleep(2);
        }
        AppendNow(events, position);
    }

    /// <summary>Appends the events when the backlog has room for them now and returns how many events the stream has taken
    /// in all (from every server), the last of these included; returns null, appending nothing, when it has not.</summary>
    public long? TryAppend(IReadOnlyList<(string Id, string Line)> events) => HasRoomFor(events.Count) ? AppendNow(events, null) : null;

    private bool HasRoomFor(int count) => RedisStreams.Backlog(_redis, [_names.Events], RedisNames.PromptGroup) + count <= _capacity;

    private long AppendNow(IReadOnlyList<(string Id, string Line)> events, long? position)
    {
        var arguments = new List<RedisValue>(2 + (events.Count * 2)) { NearlineStore.NowMicros(), position ?? -1 };
        foreach (var (id, line) in events)
        {
            arguments.Add(id);
            arguments.Add(line);
        }
        return (long)_redis.ScriptEvaluate(AppendScript, [_names.Events, _names.ReplayPosition, _names.EventsTaken], [.. arguments]);
    }

    // One round trip for the whole batch: ARGV is the arrival time, the position (-1: none), then (id, line) pairs.
    private const string AppendScript = """
        for i = 3, #ARGV, 2 do
          redis.call('XADD', KEYS[1], '*', 'id', ARGV[i], 'ingested_us', ARGV[1], 'body', ARGV[i + 1])
        end
        if tonumber(ARGV[2]) >= 0 then
          redis.call('SET', KEYS[2], ARGV[2])
        end
        return redis.call('INCRBY', KEYS[3], (#ARGV - 2) / 2)
        """;
}
