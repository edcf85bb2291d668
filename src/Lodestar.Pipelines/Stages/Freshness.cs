// Freshness: the wall-clock time from an event entering the log to its effect being readable — a post searchable in
// the index, a member's embedding in the store serving reads — kept per event kind as a bounded reservoir of
// milliseconds, so memory stays flat however long a replay runs.
using Lodestar.Core;

namespace Lodestar.Pipelines.Stages;

public sealed class Freshness
{
    private const int Reservoir = 100_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Samples> _byCause = new(StringComparer.Ordinal);
    private readonly SeededRandom _random = new(17);

    /// <summary>Records one effect of an event of kind <paramref name="cause"/> ingested at <paramref name="sourceMicros"/>, readable now.</summary>
    public void Record(string cause, long sourceMicros, long nowMicros)
    {
        var milliseconds = Math.Max(0, nowMicros - sourceMicros) / 1000.0;
        lock (_lock)
        {
            if (!_byCause.TryGetValue(cause, out var samples))
            {
                _byCause[cause] = samples = new Samples();
            }
            samples.Count++;
            if (samples.Values.Count < Reservoir)
            {
                samples.Values.Add(milliseconds);
            }
            else if (_random.NextInt((int)Math.Min(int.MaxValue, samples.Count)) is var slot && slot < Reservoir)
            {
                samples.Values[slot] = milliseconds;
            }
        }
    }

    /// <summary>Adds the samples of <paramref name="other"/> (another worker's) to these.</summary>
    public void Absorb(Freshness other)
    {
        List<(string Cause, long Count, double[] Values)> copied;
        lock (other._lock)
        {
            copied = [.. other._byCause.Select(p => (p.Key, p.Value.Count, p.Value.Values.ToArray()))];
        }
        lock (_lock)
        {
            foreach (var (cause, count, values) in copied)
            {
                if (!_byCause.TryGetValue(cause, out var samples))
                {
                    _byCause[cause] = samples = new Samples();
                }
                samples.Count += count;
                samples.Values.AddRange(values.Take(Reservoir - samples.Values.Count));
            }
        }
    }

    /// <summary>Per cause: effects recorded, p50 and p99 in milliseconds.</summary>
    public IReadOnlyDictionary<string, FreshnessSummary> Summary()
    {
        lock (_lock)
        {
            return _byCause.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(
                p => p.Key,
                p => new FreshnessSummary(p.Value.Count, Statistics.Percentile(p.Value.Values, 0.5), Statistics.Percentile(p.Value.Values, 0.99)),
                StringComparer.Ordinal);
        }
    }

    private sealed class Samples
    {
        public long Count;
        public List<double> Values { get; } = [];
    }
}

public sealed record FreshnessSummary(long Count, double P50Milliseconds, double P99Milliseconds);
