// The service process: Kestrel with minimal-API endpoints over one nearline deployment's state and index. Embedded, the
// pipeline runs in the same process and the index it writes is the one searched; scaled out, the state is in Redis,
// shared with the other servers, and the index is this process's replica. The host is ready (readyz 200)
// once models, store and index are open and any bootstrap replay of a world has caught up.
using System.Text.Json;
using System.Threading.RateLimiting;
using Lodestar.Pipelines.Store;
using Lodestar.Serving.Feed;
using Lodestar.Serving.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace Lodestar.Serving.Http;

public sealed class ServingHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _reloading = new();
    private int _ready;
    private int _draining;
    private int _inFlight;
    private Task? _clockFollower;

    private ServingHost(WebApplication app, ServingOptions options, ModelSlot models, INearlineReader reader, FeedService feed, JobService jobs, EntityQueries entities,
        EventIngest events, ServingClock clock, ServingMetrics metrics)
    {
        Jobs = jobs;
        Events = events;
        Metrics = metrics;
        _app = app;
        Options = options;
        Models = models;
        Reader = reader;
        Feed = feed;
        Entities = entities;
        Clock = clock;
    }

    public ServingOptions Options { get; }

    public ModelSlot Models { get; }

    public INearlineReader Reader { get; }

    public FeedService Feed { get; }

    public JobService Jobs { get; }

    public EntityQueries Entities { get; }

    public EventIngest Events { get; }

    public ServingMetrics Metrics { get; }

    public ServingClock Clock { get; }

    /// <summary>The addresses Kestrel listens on (a port of 0 in the urls is resolved here).</summary>
    public IReadOnlyList<string> Addresses => [.. _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses];

    /// <summary>Ready for traffic: the store has caught up and the server is not draining.</summary>
    public bool IsReady => Volatile.Read(ref _ready) == 1 && !IsDraining;

    public bool IsDraining => Volatile.Read(ref _draining) == 1;

    /// <summary>/v1 requests being computed now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    internal void EnterRequest() => Interlocked.Increment(ref _inFlight);

    internal void ExitRequest() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Refuses new /v1 requests and waits (up to the drain timeout) for those in flight to finish.</summary>
    public async Task<DrainAnswer> DrainAsync(CancellationToken cancel = default)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        Volatile.Write(ref _draining, 1);
        var atStart = InFlight;
        var timeout = TimeSpan.FromSeconds(Options.DrainTimeoutSeconds);
        while (InFlight > 0 && System.Diagnostics.Stopwatch.GetElapsedTime(start) < timeout)
        {
            await Task.Delay(5, cancel).ConfigureAwait(false);
        }
        return new DrainAnswer(atStart, AdminEndpoints.Since(start), Draining: true);
    }

    public void Undrain() => Volatile.Write(ref _draining, 0);

    /// <summary>
    /// Loads the models in <paramref name="directory"/> (default: the directory in service) beside the set in service and
    /// swaps the new feed ranker and job student in. The retrieval encoder must be the one in service, byte for byte: every stored
    /// embedding was made by it, so a new one needs a new state (every post re-embedded), not a reload.
    /// </summary>
    public ReloadAnswer Reload(string? directory = null)
    {
        lock (_reloading)
        {
            var current = Models.Current;
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            var loaded = ServingModels.Load(directory ?? current.Directory);
            if (!SameBytes(loaded.Retrieval.CheckpointPath, current.Retrieval.CheckpointPath))
            {
                throw new InvalidDataException($"{loaded.Retrieval.CheckpointPath}: not the retrieval encoder in service ({current.Retrieval.CheckpointPath}); " +
                    "every stored embedding was made by that one, so serve a new encoder from a new state (`lodestar serve --state NEW`), not by a reload");
            }
            Jobs.Prompts(loaded.Jobs);
            Models.Swap(current with { Ranker = loaded.Ranker, Jobs = loaded.Jobs, Directory = loaded.Directory });
            return new ReloadAnswer(loaded.Directory, current.Directory, AdminEndpoints.Since(start));
        }
    }

    private static bool SameBytes(string a, string b) =>
        Path.GetFullPath(a) == Path.GetFullPath(b) || (File.Exists(a) && File.Exists(b) && File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b)));

    /// <summary>Cancelled when the host begins to stop (SIGTERM or Ctrl+C, which the host's console lifetime takes, or <see cref="StopAsync"/>).</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <summary>Declares the store caught up: the clock moves to its newest event and readyz answers 200.</summary>
    public void MarkReady()
    {
        Clock.Advance(Reader.LatestTime());
        Volatile.Write(ref _ready, 1);
    }

    /// <summary>
    /// Starts listening on <paramref name="urls"/> (e.g. http://127.0.0.1:0) over the nearline deployment's state and index and the
    /// world's jobs; <paramref name="ready"/> false leaves readyz at 503 until <see cref="MarkReady"/>.
    /// </summary>
    public static async Task<ServingHost> StartAsync(ServingOptions options, ServingModels models, INearlineDeployment nearline, JobCatalog jobs, IReadOnlyList<string> urls,
        bool ready = true)
    {
        options.Validate();
        KeepThreadsForConnections(options);
        if (urls.Count == 0)
        {
            throw new ArgumentException("urls: at least one address to listen on is needed (e.g. http://127.0.0.1:8080)", nameof(urls));
        }
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "Lodestar.Serving" });
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.AddConcurrencyLimiter(RequestAdmission.Policy, slots =>
            {
                slots.PermitLimit = options.MaxConcurrentRequests;
                slots.QueueLimit = options.QueuedRequests;
                slots.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
            limiter.OnRejected = (rejected, cancel) => RequestAdmission.Shed(rejected.HttpContext);
        });
        builder.WebHost.UseUrls([.. urls]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        var metrics = new ServingMetrics(nearline);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddOpenTelemetry().WithMetrics(meters => meters.AddMeter([ServingMetrics.MeterName, .. ServingMetrics.FrameworkMeters]).AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        builder.Services.Configure<JsonOptions>(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.DictionaryKeyPolicy = null;
        });
        var app = builder.Build();
        var reader = nearline.OpenReader();
        var catalog = new PostCatalog(reader);
        var clock = new ServingClock(reader.LatestTime());
        var index = nearline.SearchIndex;
        var host = new ServingHost(app, options, new ModelSlot(models), reader, new FeedService(options, reader, index, catalog, clock),
            new JobService(options, reader, jobs, clock), new EntityQueries(options, reader, index, catalog, clock), new EventIngest(options, nearline, clock, metrics), clock, metrics);
        host.Jobs.Prompts(models.Jobs);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(RequestAdmission.StampArrival);
        app.UseRateLimiter();
        ServingEndpoints.Map(app, host);
        AdminEndpoints.Map(app, host);
        app.MapOpenApi();
        app.MapPrometheusScrapingEndpoint("/metrics");
        await app.StartAsync().ConfigureAwait(false);
        if (nearline.Shared)
        {
            host._clockFollower = host.FollowTheStatesClock();
        }
        if (ready)
        {
            // The clock was read from the store just above; only a later catch-up needs MarkReady to read it again.
            Volatile.Write(ref host._ready, 1);
        }
        return host;
    }

    /// <summary>Events other servers take move the shared state's clock, not this server's: it reads the state's newest time every
    /// quarter second until the host stops.</summary>
    private async Task FollowTheStatesClock()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            while (await timer.WaitForNextTickAsync(Stopping).ConfigureAwait(false))
            {
                try
                {
                    Clock.Advance(Reader.LatestTime());
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The state's store is unreachable for now; the clock stays where it is and the next tick tries again.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// A feed request computes on its thread-pool thread for milliseconds. Under overload the pool's few threads (one a
    /// core) are all computing while new connections wait for a thread to be parsed and queued or shed, and the pool adds
    /// threads only slowly when it sees starvation, so shed requests would wait hundreds of milliseconds for their 429.
    /// Keeping enough threads ready lets arrivals reach admission at once; only the slots decide how many compute.
    /// </summary>
    private static void KeepThreadsForConnections(ServingOptions options)
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        var wanted = Math.Max(64, 4 * (options.MaxConcurrentRequests + options.QueuedRequests));
        if (workers < wanted || io < wanted)
        {
            ThreadPool.SetMinThreads(Math.Max(workers, wanted), Math.Max(io, wanted));
        }
    }

    /// <summary>Stops taking connections and lets requests in flight finish (within the host's shutdown timeout).</summary>
    public Task StopAsync(CancellationToken cancel = default) => _app.StopAsync(cancel);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        if (_clockFollower is not null)
        {
            await _clockFollower.ConfigureAwait(false);
        }
        await _app.DisposeAsync().ConfigureAwait(false);
        Reader.Dispose();
        Metrics.Dispose();
    }
}
