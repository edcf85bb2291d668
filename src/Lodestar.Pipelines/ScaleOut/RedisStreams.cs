// The stream operations every scale-out stage uses: a consumer group that exists (created from the stream's start
// the first time, the stream with it), and the pending entries other consumers left idle, taken over.
using StackExchange.Redis;

namespace Lodestar.Pipelines.ScaleOut;

public static class RedisStreams
{
    public static void EnsureGroup(IDatabase redis, RedisKey stream, string group)
    {
        try
        {
            redis.StreamCreateConsumerGroup(stream, group, StreamPosition.Beginning, createStream: true);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
        }
    }

    /// <summary>Up to <paramref name="count"/> entries pending in the group for at least <paramref name="idle"/>, now this consumer's.</summary>
    public static IReadOnlyList<StreamEntry> Claim(IDatabase redis, RedisKey stream, string group, string consumer, TimeSpan idle, int count)
    {
        if (count <= 0)
        {
            return [];
        }
        var claimed = redis.StreamAutoClaim(stream, group, consumer, (long)idle.TotalMilliseconds, "0-0", count);
        return claimed.ClaimedEntries.Where(e => !e.IsNull).ToList();
    }
}
