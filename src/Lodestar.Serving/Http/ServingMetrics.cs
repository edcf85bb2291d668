// What the service reports to Prometheus at /metrics (through OpenTelemetry): each feed and jobs stage's latency, requests shed
// and why, the nearline queues' depths, how fresh new posts and refreshed prompts are, and the posts in the index.
// Request rate and latency per endpoint come from ASP.NET Core's own meters (http.server.request.duration by route).
using System.Diagnostics.Metrics;
using Lodestar.Pipelines.Store;

namespace Lodestar.Serving.Http;

public sealed class ServingMetrics : IDisposable
{
    public const string MeterName = "Lodestar.Serving";

    /// <summary>The meters exported beside ours: request duration and active requests by route, Kestrel's connections, the
    /// limiter's queue, and the runtime's (working set, heap after the last collection, collections, thread pool).</summary>
    public static IReadOnlyList<string> FrameworkMeters { get; } =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting", "System.Runtime"];

    private readonly Meter _meter = new(MeterName);
    private readonly Histogram<double> _stages;
    private readonly Counter<long> _shed;

    public ServingMetrics(INearlineDeployment nearline)
    {
        _stages = _meter.CreateHistogram("lodestar.request.stage.duration", unit: "ms",
            description: "Time a request spent in each stage, by endpoint: feed (member, retrieve, features, rank, total), jobs (candidates, features, score, total).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.25, 0.5, 1, 2, 5, 10, 20, 35, 50, 75, 100, 200, 500, 1000] });
        _shed = _meter.CreateCounter<long>("lodestar.requests.shed", description: "Requests answered without being computed: queue_full (429), deadline (503), event_queue_full (429).");
        _meter.CreateObservableGauge("lodestar.nearline.queue.depth", () =>
        {
            var (events, changes, index) = nearline.QueueDepths();
            return new[] { Measure(events, "queue", "events"), Measure(changes, "queue", "prompt_changes"), Measure(index, "queue", "index") };
        }, description: "Items waiting between the nearline stages.");
        _meter.CreateObservableGauge("lodestar.nearline.freshness.p99", () => nearline.Freshness().Select(f => new Measurement<double>(f.Value.P99Milliseconds,
            new KeyValuePair<string, object?>("cause", f.Key))), unit: "ms", description: "99th percentile of event-to-searchable (posts) or event-to-embedded (members) time, by cause.");
        _meter.CreateObservableGauge("lodestar.index.posts", () => nearline.SearchIndex.Count, description: "Posts the index holds.");
    }

    /// <summary>Records every stage of a finished request to <paramref name="endpoint"/> (feed, jobs), and its total.</summary>
    public void Record(string endpoint, StageTimer timer)
    {
        var tag = new KeyValuePair<string, object?>("endpoint", endpoint);
        foreach (var (stage, milliseconds) in timer.Stages)
        {
            _stages.Record(milliseconds, tag, new KeyValuePair<string, object?>("stage", stage));
        }
        _stages.Record(timer.TotalMilliseconds, tag, new KeyValuePair<string, object?>("stage", "total"));
    }

    public void Shed(string reason) => _shed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    private static Measurement<long> Measure(long value, string tag, string name) => new(value, new KeyValuePair<string, object?>(tag, name));

    public void Dispose() => _meter.Dispose();
}
