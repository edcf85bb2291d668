// Replays a world's event stream into a pipeline in simulated time: an event whose world time is t seconds after the
// first one is appended t / speed seconds after the replay started (speed 0: as fast as the pipeline takes them).
// The position is committed with each append, so a replay killed and started again neither skips nor repeats an
// event; a share of events can be delivered twice, as an at-least-once stream would, to prove they count once.
using Lodestar.Core;
using Lodestar.Core.Progress;
using Lodestar.Pipelines.Events;
using Lodestar.Pipelines.Store;

namespace Lodestar.Pipelines.Embedded;

/// <param name="Speed">Simulated seconds per wall-clock second; 0 appends as fast as backpressure allows.</param>
/// <param name="Rate">When set, the speed at which the stream's events arrive at this many a second on average.</param>
/// <param name="DuplicateShare">Share of events delivered a second time.</param>
/// <param name="Limit">Replay only the first this many events of the stream (null: all).</param>
/// <param name="LiveHeapEverySeconds">When positive, a sample this often is taken right after a forced full, compacting
/// collection, so its <see cref="ReplaySample.HeapAfterFullCollectionBytes"/> is what is alive at that moment (each such
/// collection pauses the process: a measurement of memory, not of speed).</param>
public sealed record ReplayOptions(double Speed = 0, double DuplicateShare = 0, ulong Seed = 1, int? Limit = null, int AppendBatch = 256, double? Rate = null,
    double LiveHeapEverySeconds = 0)
{
    public void Validate()
    {
        this.Require(Speed >= 0 && double.IsFinite(Speed), Speed, "must be 0 (as fast as possible) or a positive number of simulated seconds per second");
        this.Require(DuplicateShare is >= 0 and <= 1, DuplicateShare, "must be in [0, 1]");
        this.Require(Limit is null or >= 0, Limit, "must be at least 0");
        this.Require(AppendBatch >= 1, AppendBatch, "must be at least 1");
        this.Require(Rate is null || (Rate > 0 && double.IsFinite(Rate.Value)), Rate, "must be a positive number of events a second");
        this.Require(LiveHeapEverySeconds >= 0 && double.IsFinite(LiveHeapEverySeconds), LiveHeapEverySeconds, "must be 0 (never) or a positive number of seconds");
    }
}

/// <summary>What a replay appended: events of the stream, redeliveries, how long it took, and a sample a second of
/// where it stood (to show queues and memory stay flat).</summary>
public sealed record ReplaySummary(long Events, long Redelivered, long ResumedAt, double WallSeconds, IReadOnlyList<ReplaySample> Samples)
{
    public double EventsPerSecond => WallSeconds > 0 ? Events / WallSeconds : 0;
}

/// <summary>One second of a replay: events of the stream appended, queue depths, the process's working set, its managed
/// heap now (garbage included) and as the last full (generation 2) collection left it: what was alive then, and now when
/// the sample was taken right after a forced one (<paramref name="AfterForcedCollection"/>).</summary>
public sealed record ReplaySample(double Seconds, long Position, long EventQueue, long PromptQueue, long IndexQueue, long WorkingSetBytes, long ManagedHeapBytes,
    long HeapAfterFullCollectionBytes, bool AfterForcedCollection)
{
    public static ReplaySample Of(double seconds, long position, (long Events, long Changes, long Index) queues, bool afterForcedCollection = false) =>
        new(seconds, position, queues.Events, queues.Changes, queues.Index, Environment.WorkingSet, GC.GetTotalMemory(forceFullCollection: false),
            Math.Max(GC.GetGCMemoryInfo(GCKind.FullBlocking).HeapSizeBytes, GC.GetGCMemoryInfo(GCKind.Background).HeapSizeBytes), afterForcedCollection);
}

/// <summary>A deployment a replay feeds: it keeps the replay's position with the events (so a resumed replay neither skips
/// nor repeats), drains, and says how deep its queues are.</summary>
public interface IReplayTarget
{
    /// <summary>Events of the stream appended so far by earlier replays into this deployment.</summary>
    long StoredPosition();

    /// <summary>Appends the events (waiting while the first queue is full) and stores <paramref name="position"/> with them.</summary>
    void Append(IReadOnlyList<(string Id, string Line)> events, long position, CancellationToken cancel);

    void Drain(CancellationToken cancel);

    void ThrowIfFailed();

    (long Events, long Changes, long Index) QueueDepths();

    /// <summary>Freshness so far of what this process can see land.</summary>
    IReadOnlyDictionary<string, Stages.FreshnessSummary> Freshness();
}

public static class NearlineReplay
{
    public static ReplaySummary Run(IReplayTarget pipeline, IReadOnlyList<NearlineEvent> events, ReplayOptions options,
        IProgressReporter? progress = null, CancellationToken cancel = default)
    {
        options.Validate();
        var total = Math.Min(events.Count, options.Limit ?? int.MaxValue);
        var start = (int)Math.Min(pipeline.StoredPosition(), total);
        var random = new SeededRandom(options.Seed + (ulong)start);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var firstTime = start < total ? events[start].Time : 0;
        var speed = options.Rate is { } rate && total - start > 1 ? rate * (events[total - 1].Time - firstTime) / (total - start - 1) : options.Speed;
        var batch = new List<(string, string)>(options.AppendBatch * 2);
        var (appended, redelivered) = (0L, 0L);
        var samples = new List<ReplaySample>();
        var next = start;
        var (lastReport, lastLiveHeap) = (TimeSpan.Zero, TimeSpan.Zero);
        progress?.Start("replay", total);
        while (next < total)
        {
            cancel.ThrowIfCancellationRequested();
            if (speed > 0)
            {
                var due = TimeSpan.FromSeconds((events[next].Time - firstTime) / speed);
                if (due - clock.Elapsed is var early && early > TimeSpan.Zero)
                {
                    pipeline.ThrowIfFailed();
                    Thread.Sleep(Min(early, TimeSpan.FromMilliseconds(20)));
                    continue;
                }
            }
            batch.Clear();
            while (next < total && batch.Count < options.AppendBatch
                && (speed == 0 || TimeSpan.FromSeconds((events[next].Time - firstTime) / speed) <= clock.Elapsed))
            {
                var line = events[next].ToJson();
                batch.Add((events[next].Id, line));
                if (options.DuplicateShare > 0 && random.Bernoulli(options.DuplicateShare))
                {
                    batch.Add((events[next].Id, line));
                    redelivered++;
                }
                next++;
                appended++;
            }
            pipeline.Append(batch, next, cancel);
            if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(1))
            {
                lastReport = clock.Elapsed;
                var forced = options.LiveHeapEverySeconds > 0 && clock.Elapsed - lastLiveHeap >= TimeSpan.FromSeconds(options.LiveHeapEverySeconds);
                if (forced)
                {
                    lastLiveHeap = clock.Elapsed;
                }
                var queues = Sample(forced);
                progress?.Report(next, StatusLine(queues, pipeline.Freshness()));
            }
        }
        pipeline.Drain(cancel);
        Sample(forced: options.LiveHeapEverySeconds > 0);
        return new ReplaySummary(appended, redelivered, start, clock.Elapsed.TotalSeconds, samples);

        // A sample of where the replay stands, taken right after a forced full collection when asked; returns the queue depths.
        (long Events, long Changes, long Index) Sample(bool forced)
        {
            if (forced)
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            }
            var queues = pipeline.QueueDepths();
            samples.Add(ReplaySample.Of(clock.Elapsed.TotalSeconds, next, queues, forced));
            return queues;
        }
    }

    /// <summary>One line: queue depths and new-post freshness so far.</summary>
    public static string StatusLine((long Events, long Changes, long Index) queues, IReadOnlyDictionary<string, Stages.FreshnessSummary> freshness)
    {
        var post = freshness.GetValueOrDefault("post_created/post");
        return $"queues events {queues.Events:N0}, prompts {queues.Changes:N0}, index {queues.Index:N0}"
            + (post is null ? "" : $" · new post searchable p50 {post.P50Milliseconds:F0} ms p99 {post.P99Milliseconds:F0} ms");
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
