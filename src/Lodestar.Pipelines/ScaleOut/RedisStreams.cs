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

    /// <summary>Entries of the streams the group has not yet acknowledged: those never delivered (lag) and those pending.</summary>
    public static long Backlog(IDatabase redis, RedisKey[] streams, string group)
    {
        long total = 0;
        foreach (var stream in streams)
        {
            foreach (var info in redis.StreamGroupInfo(stream))
            {
                if (info.Name == group)
                {
                    total += (info.Lag ?? redis.StreamLength(stream)) + info.PendingMessageCount;
                }
            }
        }
        return total;
    }

    /// <summary>
    /// Removes the entries the group (the stream's only reader) has acknowledged: everything before its oldest pending
    /// entry, or through the last one delivered when none is pending. Keeps the stream as short as its backlog.
    /// </summary>
    public static void TrimAcknowledged(IDatabase redis, RedisKey stream, string group)
    {
        // The last delivered id is read before the pending summary: an entry delivered in between has a later id and stays.
        var last = redis.StreamGroupInfo(stream).FirstOrDefault(g => g.Name == group).LastDeliveredId;
        var pending = redis.StreamPending(stream, group);
        RedisValue minimum;
        if (pending.PendingMessageCount > 0)
        {
            minimum = pending.LowestPendingMessageId;
        }
        else if (last is not null && last != "0-0")
        {
            var dash = last.IndexOf('-', StringComparison.Ordinal);
            minimum = $"{last[..dash]}-{ulong.Parse(last.AsSpan(dash + 1), System.Globalization.CultureInfo.InvariantCulture) + 1}";
        }
        else
        {
            return;
        }
        redis.StreamTrimByMinId(stream, minimum);
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
