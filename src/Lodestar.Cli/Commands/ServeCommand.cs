// `lodestar serve`: the feed and job matches over HTTP. Embedded, it opens (or creates) a nearline state directory and
// runs the pipeline in the process; with --redis it is one replica of the scale-out deployment: the state is in Redis,
// shared with the other replicas, and the process runs a prompt worker (standing by while another replica's holds the
// lease), embedding workers and its own index replica in the state directory. Either way it catches the state up with
// the world's event stream when it is behind, and serves the models directory's retrieval encoder, feed ranker and job
// student over the world's jobs until Ctrl+C or SIGTERM, when it stops taking connections, lets requests in flight
// finish and checkpoints the index.
using System.CommandLine;
using System.Diagnostics;
using Lodestar.Core.Progress;
using Lodestar.Features.Retrieval;
using Lodestar.Models.Bert;
using Lodestar.Pipelines.Embedded;
using Lodestar.Pipelines.Events;
using Lodestar.Pipelines.ScaleOut;
using Lodestar.Pipelines.Stages;
using Lodestar.Pipelines.Store;
using Lodestar.Serving;
using Lodestar.Serving.Http;
using Lodestar.Serving.Jobs;
using Lodestar.Text.Prompts;
using StackExchange.Redis;

namespace Lodestar.Cli;

public static class ServeCommand
{
    public static Command Create()
    {
        var models = new Option<DirectoryInfo>("--models")
        {
            Description = $"Models directory: {ServingModels.RetrievalFolder}/ (a feed-retrieval run), {ServingModels.RankerFolder}/ (a feed-ranking run) and {ServingModels.JobStudentFolder}/ (a job-matching student run).",
            Required = true,
        };
        var state = new Option<DirectoryInfo>("--state") { Description = "The nearline state directory (nearline.db, index/; with --redis only this replica's index/); created and filled from the world when new, resumed when not.", Required = true };
        var redis = new Option<string?>("--redis") { Description = "host:port of a Redis 7 server: serve as one replica of the scale-out deployment whose state is there (several replicas share it)." };
        var prefix = new Option<string>("--prefix") { Description = "With --redis: the prefix of the deployment's keys.", DefaultValueFactory = _ => new RedisNames().Prefix };
        var replica = new Option<string?>("--replica") { Description = "With --redis: this replica's name, the same on every restart so its index resumes where it stopped (default: the state directory's name)." };
        var embedWorkers = new Option<int>("--embed-workers") { Description = "With --redis: embedding workers this process runs beside those of the other replicas and worker processes.", DefaultValueFactory = _ => 1 };
        var world = new Option<DirectoryInfo?>("--world") { Description = "The world whose events fill the state (default: the retrieval run's world)." };
        var urls = new Option<string[]>("--urls") { Description = "Addresses to listen on.", DefaultValueFactory = _ => ["http://127.0.0.1:8080"], AllowMultipleArgumentsPerToken = true };
        var retrieve = new Option<int>("--retrieve") { Description = "Posts retrieved per feed request and ranked in one pass.", DefaultValueFactory = _ => new ServingOptions().Retrieve };
        var jobCandidates = new Option<int>("--job-candidates") { Description = "Jobs the first stage hands the student per jobs request, scored in one pass.", DefaultValueFactory = _ => new ServingOptions().JobCandidates };
        var freshDays = new Option<int>("--fresh-days") { Description = "Only posts created within this many days of the world's clock are retrieved (0: any age).", DefaultValueFactory = _ => new ServingOptions().FreshDays };
        var defaults = new ServingOptions();
        var slots = new Option<int>("--slots") { Description = "Requests computed at once (default: one per core).", DefaultValueFactory = _ => defaults.MaxConcurrentRequests };
        var queue = new Option<int>("--queue") { Description = "Requests that may wait for a slot; more are shed with 429.", DefaultValueFactory = _ => defaults.QueuedRequests };
        var deadline = new Option<int>("--deadline-ms") { Description = "A request that waited longer for its slot is answered 503 without being computed.", DefaultValueFactory = _ => defaults.DeadlineMilliseconds };
        var jobsDeadline = new Option<int>("--jobs-deadline-ms") { Description = "The same for the jobs endpoint, whose answers take longer.", DefaultValueFactory = _ => defaults.JobsDeadlineMilliseconds };
        var json = CliJson.CreateOption();
        var command = new Command("serve", "Serve members' feeds and job matches over HTTP until stopped: GET /v1/members/{id}/feed, /v1/members/{id}/jobs, /v1/members/{id}, /v1/posts/{id}; POST /v1/events; "
            + $"/healthz, /readyz, /metrics, /openapi/v1.json; POST /admin/reload and /admin/drain when {AdminKeyVariable} holds a key (sent as X-Api-Key).")
        {
            Options = { models, state, world, urls, redis, prefix, replica, embedWorkers, retrieve, jobCandidates, freshDays, slots, queue, deadline, jobsDeadline, json },
        };
        command.SetAction(parse =>
        {
            var clock = Stopwatch.StartNew();
            var options = new ServingOptions
            {
                Retrieve = parse.GetValue(retrieve),
                FreshDays = parse.GetValue(freshDays),
                JobCandidates = parse.GetValue(jobCandidates),
                MaxConcurrentRequests = parse.GetValue(slots),
                QueuedRequests = parse.GetValue(queue),
                DeadlineMilliseconds = parse.GetValue(deadline),
                JobsDeadlineMilliseconds = parse.GetValue(jobsDeadline),
                AdminKey = Environment.GetEnvironmentVariable(AdminKeyVariable) is { Length: > 0 } key ? key : null,
            };
            var stateDirectory = parse.GetValue(state)!.FullName;
            var scaleOut = parse.GetValue(redis) is { } endpoint
                ? new ScaleOut(endpoint, parse.GetValue(prefix)!, parse.GetValue(replica) ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(stateDirectory)), parse.GetValue(embedWorkers))
                : null;
            return Serve(ServingModels.Load(parse.GetValue(models)!.FullName), parse.GetValue(world)?.FullName, stateDirectory, parse.GetValue(urls)!,
                options, parse.GetValue(json), clock, scaleOut);
        });
        return command;
    }

    /// <summary>Where a replica of the scale-out deployment finds it: the Redis server, the keys' prefix, the replica's name, and
    /// how many embedding workers it runs.</summary>
    public sealed record ScaleOut(string Endpoint, string Prefix, string Replica, int EmbedWorkers);

    /// <summary>
    /// Serves <paramref name="loaded"/> over the nearline state in <paramref name="stateDirectory"/> (or in Redis with
    /// <paramref name="scaleOut"/>; filled from the world first when behind) until Ctrl+C or SIGTERM; prints the addresses
    /// once ready (a JSON line with <paramref name="json"/>).
    /// </summary>
    public static int Serve(ServingModels loaded, string? worldDirectory, string stateDirectory, IReadOnlyList<string> urls, ServingOptions options, bool json,
        Stopwatch clock, ScaleOut? scaleOut = null)
    {
        var progress = ProgressReporter.ForStandardError();
        options = options with { MaxLimit = Math.Min(options.MaxLimit, options.Retrieve), DefaultLimit = Math.Min(options.DefaultLimit, options.Retrieve) };
        options.Validate();
        var encoder = loaded.Retrieval;
        worldDirectory ??= encoder.Settings.World;
        progress.Line($"reading {worldDirectory}");
        var snapshot = WorldSnapshot.Load(worldDirectory);
        var prompts = encoder.Settings.Prompts(snapshot, FeedLog.Load(worldDirectory), encoder.Tokenizer);
        var jobs = JobCatalog.Load(worldDirectory, snapshot);
        using var redis = scaleOut is null ? null : ConnectionMultiplexer.Connect(scaleOut.Endpoint);
        using var index = scaleOut is null ? null : IndexStage.OpenIndex(Path.Combine(stateDirectory, EmbeddedPipeline.IndexFolder), encoder.Model.Config.Channels);
        using var embedded = scaleOut is null ? EmbeddedPipeline.Open(stateDirectory, encoder, prompts) : null;
        using var scaled = scaleOut is null ? null : new RedisPipeline(redis!.GetDatabase(), new RedisNames(scaleOut.Prefix), new NearlineOptions());
        INearlineDeployment nearline;
        if (scaled is not null)
        {
            var name = scaleOut!.Replica;
            scaled.StartPrompts(prompts, encoder.Settings.History, $"serve-{name}", TimeSpan.FromSeconds(5));
            for (var i = 0; i < scaleOut.EmbedWorkers; i++)
            {
                // Each worker its own copy of the encoder: a forward pass keeps activations in the module.
                scaled.StartEmbedder(new PromptEmbedder(BertModel.Load(encoder.CheckpointPath)), $"serve-{name}-{i}", TimeSpan.FromSeconds(10));
            }
            scaled.StartReplica(index!, name);
            nearline = scaled;
        }
        else
        {
            embedded!.Start();
            nearline = embedded;
        }
        var events = WorldEvents.Read(worldDirectory);
        var behind = events.Count - nearline.StoredPosition();
        // A replica is ready once its own index has read what the deployment has embedded, however far the world's replay is.
        var host = ServingHost.StartAsync(options, loaded, nearline, jobs, urls, ready: behind <= 0 && scaled is null).GetAwaiter().GetResult();
        // Ctrl+C and SIGTERM reach the host's console lifetime, which begins its stop; the server follows it.
        var stop = host.Stopping;
        try
        {
            if (behind > 0 || scaled is not null)
            {
                progress.Line($"listening on {string.Join(", ", host.Addresses)}; not ready until the state has caught up" + (behind > 0 ? $" with {behind:N0} events of the world" : ""));
                if (behind > 0)
                {
                    NearlineReplay.Run(nearline, events, new ReplayOptions(), progress, stop);
                    nearline.Drain(stop);
                }
                else
                {
                    // Joining a running deployment: the other replicas keep taking events, so the shared queues may never
                    // be empty at once; this replica is ready when its own index has read everything embedded so far.
                    while (scaled!.Replica!.Backlog > 0)
                    {
                        scaled.ThrowIfFailed();
                        stop.ThrowIfCancellationRequested();
                        Thread.Sleep(20);
                    }
                }
                host.MarkReady();
            }
            // The stream is in the store now; the server does not keep it.
            events = [];
            var ready = new ServeReady([.. host.Addresses], clock.Elapsed.TotalSeconds, nearline.SearchIndex.Count, host.Clock.Now);
            if (json)
            {
                CliJson.WriteLine(ready);
            }
            else
            {
                Console.Out.WriteLine($"serving {ready.PostsIndexed:N0} posts on {string.Join(", ", ready.Addresses)} (ready in {ready.ReadySeconds:F1} s); "
                    + $"open {ready.Addresses[0]}/ to explore, or GET {ready.Addresses[0]}/v1/members/1/feed");
            }
            while (!stop.IsCancellationRequested)
            {
                nearline.ThrowIfFailed();
                stop.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(200));
            }
            progress.Line("stopping: finishing requests in flight");
        }
        finally
        {
            host.StopAsync().GetAwaiter().GetResult();
            host.DisposeAsync().AsTask().GetAwaiter().GetResult();
            // The replica's workers stop before its index is checkpointed (the embedded pipeline does both when disposed).
            scaled?.Dispose();
            index?.Checkpoint();
        }
        return 0;
    }

    /// <summary>The environment variable holding the admin key (an environment variable, not an option, so it stays out of process listings).</summary>
    public const string AdminKeyVariable = "LODESTAR_ADMIN_KEY";

    private sealed record ServeReady(IReadOnlyList<string> Addresses, double ReadySeconds, int PostsIndexed, long Clock);
}
