// Where events enter the scale-out deployment: appended to the event stream with the time they arrived, after waiting
// while the prompt workers are more than a capacity behind (backpressure: the stream stays bounded).
using Lodestar.Pipelines.Store;
using StackExchange.Redis;

namespace Lodestar.Pipelines.ScaleOut;

public sealed class RedisEventLog(IDatabase redis, RedisNames names, int capacity = 8192)
{
    /// <summary>Appends the events in one round trip once the backlog leaves room for them.</summary>
    public void Append(IReadOnlyList<(string Id, string Line)> events, CancellationToken cancel = default)
    {
        RedisStreams.EnsureGroup(redis, names.Events, RedisNames.PromptGroup);
        while (RedisStreams.Backlog(redis, [names.Events], RedisNames.PromptGroup) + events.Count > capacity)
        {
            cancel.ThrowIfCancellationRequested();
            Thread.Sleep(2);
        }
        var arguments = new List<RedisValue>(1 + (events.Count * 2)) { NearlineStore.NowMicros() };
        foreach (var (id, line) in events)
        {
            arguments.Add(id);
            arguments.Add(line);
        }
        redis.ScriptEvaluate(AppendScript, [names.Events], [.. arguments]);
    }

    // One round trip for the whole batch: ARGV is the arrival time, then (id, line) pairs.
    private const string AppendScript = """
        for i = 2, #ARGV, 2 do
          redis.call('XADD', KEYS[1], '*', 'id', ARGV[i], 'ingested_us', ARGV[1], 'body', ARGV[i + 1])
        end
        return #ARGV
        """;
}
