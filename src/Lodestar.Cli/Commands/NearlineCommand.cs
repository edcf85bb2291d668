// `lodestar nearline replay`: a world's events replayed in simulated time through the embedded nearline pipeline
// (prompts, embeddings by a trained feed-retrieval run's encoder, the post index), reporting throughput, freshness per
// event kind, embedding batch sizes and dead letters. Killed and started again on the same --out, it resumes.
using System.CommandLine;
using Lodestar.Core.Progress;
using Lodestar.Features.Retrieval;
using Lodestar.Index;
using Lodestar.Models.Bert;
using Lodestar.Pipelines.Embedded;
using Lodestar.Pipelines.Events;
using Lodestar.Pipelines.ScaleOut;
using Lodestar.Pipelines.Stages;
using Lodestar.Pipelines.Store;
using StackExchange.Redis;
using Lodestar.Text.Prompts;

namespace Lodestar.Cli;

public static class NearlineCommand
{
    public static Command Create()
    {
        var command = new Command("nearline", "Nearline freshness: events become prompts, prompts become embeddings, embeddings become searchable.");
        command.Subcommands.Add(Replay());
        command.Subcommands.Add(Worker());
        return command;
    }

    private static Option<string?> RedisOption() => new("--redis") { Description = "host:port of a Redis 7 server: run the scale-out deployment (streams between stages, hashes as the online stores)." };

    private static Option<string> PrefixOption() => new("--prefix") { Description = "Prefix of every Redis key of this pipeline.", DefaultValueFactory = _ => "lodestar:nearline:" };

    private static Command Replay()
    {
        var run = new Option<DirectoryInfo>("--run") { Description = "A feed-retrieval run directory (`lodestar retrieval train`): its encoder embeds the prompts.", Required = true };
        var world = new Option<DirectoryInfo?>("--world") { Description = "The world whose events are replayed (default: the run's world)." };
        var output = new Option<DirectoryInfo>("--out") { Description = "The pipeline's directory (nearline.db, index/); a replay there resumes where it stopped.", Required = true };
        var speed = new Option<double>("--speed") { Description = "Simulated seconds per wall-clock second; 0 replays as fast as the pipeline takes events.", DefaultValueFactory = _ => 0 };
        var rate = new Option<double?>("--rate") { Description = "Replay at this many events a second on average (sets the speed from the stream's span)." };
        var window = new Option<int>("--window-ms") { Description = "How long the embedding stage gathers changes before it embeds them.", DefaultValueFactory = _ => 250 };
        var batch = new Option<int>("--max-batch") { Description = "Most prompts in one embedding batch.", DefaultValueFactory = _ => 256 };
        var duplicates = new Option<double>("--duplicate-share") { Description = "Share of events delivered twice (at-least-once delivery); each must still count once.", DefaultValueFactory = _ => 0 };
        var limit = new Option<int?>("--limit") { Description = "Replay only the first N events of the stream." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the redelivery draws.", DefaultValueFactory = _ => 1 };
        var liveHeap = new Option<double>("--live-heap-every") { Description = "Every this many seconds, take the memory sample right after a forced full collection (what is alive then; pauses the replay briefly). 0: never.", DefaultValueFactory = _ => 0 };
        var redis = RedisOption();
        var prefix = PrefixOption();
        var embedWorkers = new Option<int>("--embed-workers") { Description = "With --redis: embedding workers in this process (0: separate `nearline worker --stage embed` processes do it).", DefaultValueFactory = _ => 1 };
        var promptWorker = new Option<int>("--prompt-workers") { Description = "With --redis: 1 hosts the prompt worker in this process, 0 leaves it to `nearline worker --stage prompts` processes.", DefaultValueFactory = _ => 1 };
        var json = CliJson.CreateOption();
        var command = new Command("replay", "Replay a world's member, post and impression events through the embedded pipeline and report throughput and freshness.")
        {
            Options = { run, world, output, speed, rate, window, batch, duplicates, limit, seed, liveHeap, redis, prefix, embedWorkers, promptWorker, json },
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(promptWorker) is not (0 or 1))
            {
                throw new ArgumentException($"--prompt-workers {parse.GetValue(promptWorker)}: 0 or 1 (one worker applies events at a time; standbys run as processes of their own)");
            }
            var encoder = RetrievalEncoder.Load(parse.GetValue(run)!.FullName);
            var worldDirectory = parse.GetValue(world)?.FullName ?? encoder.Settings.World;
            var progress = ProgressReporter.ForStandardError();
            progress.Line($"reading {worldDirectory}");
            var snapshot = WorldSnapshot.Load(worldDirectory);
            var log = FeedLog.Load(worldDirectory);
            var events = WorldEvents.Read(worldDirectory);
            var options = new NearlineOptions { WindowMilliseconds = parse.GetValue(window), MaxEmbedBatch = parse.GetValue(batch) };
            var replay = new ReplayOptions(parse.GetValue(speed), parse.GetValue(duplicates), parse.GetValue(seed), parse.GetValue(limit), Rate: parse.GetValue(rate), LiveHeapEverySeconds: parse.GetValue(liveHeap));
            var prompts = encoder.Settings.Prompts(snapshot, log, encoder.Tokenizer);
            if (parse.GetValue(redis) is { } endpoint)
            {
                return ReplayScaledOut(endpoint, parse.GetValue(prefix)!, parse.GetValue(promptWorker) == 1, parse.GetValue(embedWorkers), encoder, prompts, events, options, replay, parse.GetValue(output)!.FullName,
                    progress, parse.GetValue(json));
            }
            using var pipeline = EmbeddedPipeline.Open(parse.GetValue(output)!.FullName, encoder, prompts, options);
            pipeline.Start();
            var summary = NearlineReplay.Run(pipeline, events, replay, progress);
            var status = pipeline.Status();
            using var connection = pipeline.Store.Connect();
            var deadLetters = NearlineStore.Scalar(connection, "SELECT COUNT(*) FROM dead_letters");
            var report = new NearlineReport(summary.Events, summary.Redelivered, summary.ResumedAt, summary.WallSeconds, summary.EventsPerSecond, deadLetters,
                pipeline.Index.Index.Count, status, options, summary.Samples);
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(report);
                return 0;
            }
            Console.Out.WriteLine($"{summary.Events:N0} events (from {summary.ResumedAt:N0}, {summary.Redelivered:N0} delivered twice) in {summary.WallSeconds:F1} s: {summary.EventsPerSecond:N0} events/s");
            Console.Out.WriteLine($"applied {status.Prompts.Applied:N0}, duplicates skipped {status.Prompts.Duplicates:N0}, dead letters {deadLetters:N0}; prompt changes {status.Prompts.Changes:N0}, embeddings stored {status.Embeddings.Changes:N0}, posts in the index {pipeline.Index.Index.Count:N0}");
            Console.Out.WriteLine($"embedding batches {status.EmbedBatches.Batches:N0}: mean {status.EmbedBatches.Mean:F1}, median {status.EmbedBatches.Median}, largest {status.EmbedBatches.Max} (window {options.WindowMilliseconds} ms, max {options.MaxEmbedBatch})");
            Console.Out.WriteLine($"busy seconds: prompts {status.Prompts.BusySeconds:F1}, embeddings {status.Embeddings.BusySeconds:F1} (encoder {status.Embeddings.EncoderSeconds:F1}), index {status.Index.BusySeconds:F1}");
            var late = summary.Samples.Skip(summary.Samples.Count / 2).ToList();
            if (late.Count > 0)
            {
                Console.Out.WriteLine($"second half of the replay: working set {late.Min(x => x.WorkingSetBytes) / 1e6:F0}–{late.Max(x => x.WorkingSetBytes) / 1e6:F0} MB, managed heap {late.Min(x => x.ManagedHeapBytes) / 1e6:F0}–{late.Max(x => x.ManagedHeapBytes) / 1e6:F0} MB, deepest queues: events {late.Max(x => x.EventQueue):N0}, prompts {late.Max(x => x.PromptQueue):N0}, index {late.Max(x => x.IndexQueue):N0}");
            }
            var alive = summary.Samples.Where(x => x.AfterForcedCollection).ToList();
            if (alive.Count > 0)
            {
                Console.Out.WriteLine($"alive after forced full collections: {string.Join(", ", alive.Select(x => $"{x.HeapAfterFullCollectionBytes / 1e6:F0} MB at {x.Position:N0} events"))}");
            }
            WriteFreshness(status.Freshness);
            return 0;
        });
        return command;
    }

    private static int ReplayScaledOut(string endpoint, string prefix, bool hostPrompts, int embedWorkers, RetrievalEncoder encoder, RetrievalPrompts prompts,
        IReadOnlyList<NearlineEvent> events, NearlineOptions options, ReplayOptions replay, string output, IProgressReporter progress, bool json)
    {
        using var connection = ConnectionMultiplexer.Connect(endpoint);
        var names = new RedisNames(prefix);
        using var index = IndexStage.OpenIndex(Path.Combine(output, EmbeddedPipeline.IndexFolder), encoder.Model.Config.Channels);
        RedisPipeline pipeline;
        ReplaySummary summary;
        using (pipeline = new RedisPipeline(connection.GetDatabase(), names, options))
        {
            if (hostPrompts)
            {
                pipeline.StartPrompts(prompts, encoder.Settings.History, $"replay-{Environment.ProcessId}", TimeSpan.FromSeconds(5));
            }
            for (var i = 0; i < embedWorkers; i++)
            {
                // Each worker its own copy of the encoder: a forward pass keeps activations in the module.
                pipeline.StartEmbedder(new PromptEmbedder(BertModel.Load(encoder.CheckpointPath)), $"replay-{Environment.ProcessId}-{i}", TimeSpan.FromSeconds(10));
            }
            pipeline.StartReplica(index, "replay");
            summary = NearlineReplay.Run(pipeline, events, replay, progress);
        }
        // A clean stop leaves the replica's index as one snapshot with an empty log.
        index.Checkpoint();
        var report = new ScaledOutReport(summary.Events, summary.Redelivered, summary.ResumedAt, summary.WallSeconds, summary.EventsPerSecond, index.Index.Count,
            pipeline.Prompts?.Counters.Snapshot(), [.. pipeline.Embedders.Select(e => e.Counters.Snapshot())], pipeline.Replica!.Counters.Snapshot(), pipeline.Freshness(), options, summary.Samples);
        if (json)
        {
            CliJson.WriteLine(report);
            return 0;
        }
        Console.Out.WriteLine($"{summary.Events:N0} events (from {summary.ResumedAt:N0}, {summary.Redelivered:N0} delivered twice) in {summary.WallSeconds:F1} s: {summary.EventsPerSecond:N0} events/s through Redis {endpoint}");
        var promptLine = report.Prompts is { } applied
            ? $"prompt worker: applied {applied.Applied:N0}, duplicates {applied.Duplicates:N0}, rejected {applied.Rejected:N0}, changes {applied.Changes:N0}"
            : "prompt worker: none here";
        Console.Out.WriteLine($"{promptLine}; embedding workers here: {embedWorkers}, stored {report.Embedders.Sum(e => e.Changes):N0}; posts in this replica's index {index.Index.Count:N0}");
        WriteFreshness(report.Freshness);
        return 0;
    }

    private static Command Worker()
    {
        var stage = new Option<string>("--stage") { Description = "Which stage this process works: prompts, embed or index.", Required = true };
        var redis = new Option<string>("--redis") { Description = "host:port of the Redis 7 server the deployment runs on.", Required = true };
        var run = new Option<DirectoryInfo>("--run") { Description = "The feed-retrieval run whose encoder (embed) and prompt settings (prompts) the stage uses.", Required = true };
        var world = new Option<DirectoryInfo?>("--world") { Description = "prompts: the world whose percentiles the prompts use (default: the run's world)." };
        var output = new Option<DirectoryInfo?>("--out") { Description = "index: the replica's index directory." };
        var name = new Option<string?>("--name") { Description = "This worker's name in its consumer group (index: the replica's name). Default: the stage and process id." };
        var window = new Option<int>("--window-ms") { Description = "embed: how long to gather changes before embedding them.", DefaultValueFactory = _ => 250 };
        var batch = new Option<int>("--max-batch") { Description = "embed: most prompts in one batch.", DefaultValueFactory = _ => 256 };
        var claim = new Option<int>("--claim-after-ms") { Description = "embed: take over changes another worker has held unacknowledged this long.", DefaultValueFactory = _ => 10_000 };
        var lease = new Option<int>("--lease-ms") { Description = "prompts: how long the applying worker's lease lasts unless renewed.", DefaultValueFactory = _ => 5_000 };
        var threads = new Option<int>("--threads") { Description = "embed: threads the encoder's kernels may use in this process (default: every core).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var changeCapacity = new Option<int>("--change-capacity") { Description = "prompts: prompt changes waiting for embedding before this worker waits (backpressure).", DefaultValueFactory = _ => new NearlineOptions().ChangeQueueCapacity };
        var idle = new Option<double>("--exit-when-idle") { Description = "Exit after this many seconds without work once some was done (0: run until stopped).", DefaultValueFactory = _ => 0 };
        var prefix = PrefixOption();
        var json = CliJson.CreateOption();
        var command = new Command("worker", "Run one stage of the scale-out deployment against Redis, as one of any number of processes.")
        {
            Options = { stage, redis, run, world, output, name, window, batch, claim, lease, changeCapacity, threads, idle, prefix, json },
        };
        command.SetAction(parse =>
        {
            var which = parse.GetValue(stage);
            if (which is not ("prompts" or "embed" or "index"))
            {
                throw new ArgumentException($"--stage {which}: one of prompts, embed, index");
            }
            if (parse.GetValue(threads) < 1)
            {
                throw new ArgumentException($"--threads {parse.GetValue(threads)}: at least 1");
            }
            Lodestar.Kernels.KernelThreads.Count = parse.GetValue(threads);
            var encoder = RetrievalEncoder.Load(parse.GetValue(run)!.FullName);
            var consumer = parse.GetValue(name) ?? $"{which}-{Environment.ProcessId}";
            var options = new NearlineOptions { WindowMilliseconds = parse.GetValue(window), MaxEmbedBatch = parse.GetValue(batch), ChangeQueueCapacity = parse.GetValue(changeCapacity) };
            using var connection = ConnectionMultiplexer.Connect(parse.GetValue(redis)!);
            // Ctrl+C and SIGTERM stop the worker between batches; the source is never disposed, as the exit handlers may run after this action.
            var stop = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
            AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
            DurableIndex? index = null;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            RedisPipeline pipeline;
            using (pipeline = new RedisPipeline(connection.GetDatabase(), new RedisNames(parse.GetValue(prefix)!), options))
            {
                switch (which)
                {
                    case "prompts":
                        var worldDirectory = parse.GetValue(world)?.FullName ?? encoder.Settings.World;
                        var prompts = encoder.Settings.Prompts(WorldSnapshot.Load(worldDirectory), FeedLog.Load(worldDirectory), encoder.Tokenizer);
                        pipeline.StartPrompts(prompts, encoder.Settings.History, consumer, TimeSpan.FromMilliseconds(parse.GetValue(lease)));
                        break;
                    case "embed":
                        pipeline.StartEmbedder(new PromptEmbedder(encoder.Model), consumer, TimeSpan.FromMilliseconds(parse.GetValue(claim)));
                        break;
                    default:
                        var directory = parse.GetValue(output)?.FullName ?? throw new ArgumentException("--stage index needs --out (the replica's index directory)");
                        index = IndexStage.OpenIndex(Path.Combine(directory, EmbeddedPipeline.IndexFolder), encoder.Model.Config.Channels);
                        pipeline.StartReplica(index, consumer);
                        break;
                }
                WaitUntilStoppedOrIdle(pipeline, TimeSpan.FromSeconds(parse.GetValue(idle)), stop.Token);
            }
            index?.Checkpoint();
            index?.Dispose();
            var counters = which switch
            {
                "prompts" => pipeline.Prompts!.Counters.Snapshot(),
                "embed" => pipeline.Embedders[0].Counters.Snapshot(),
                _ => pipeline.Replica!.Counters.Snapshot(),
            };
            var report = new WorkerReport(which!, consumer, clock.Elapsed.TotalSeconds, counters, pipeline.Embedders.Sum(e => e.Claimed), pipeline.Freshness());
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(report);
                return 0;
            }
            Console.Out.WriteLine($"{which} worker {consumer}: took {counters.Applied:N0} in {counters.Batches:N0} batches, wrote {counters.Changes:N0}, busy {counters.BusySeconds:F1} s (encoder {counters.EncoderSeconds:F1} s) of {report.WallSeconds:F1} s");
            WriteFreshness(report.Freshness);
            return 0;
        });
        return command;
    }

    /// <summary>Returns when stopped, or when the worker has done some work and then none for <paramref name="idle"/> (zero: never).</summary>
    private static void WaitUntilStoppedOrIdle(RedisPipeline pipeline, TimeSpan idle, CancellationToken stop)
    {
        var (last, quietSince) = (-1L, System.Diagnostics.Stopwatch.StartNew());
        while (!stop.IsCancellationRequested)
        {
            pipeline.ThrowIfFailed();
            var done = (pipeline.Prompts?.Counters.Batches ?? 0) + pipeline.Embedders.Sum(e => e.Counters.Batches) + (pipeline.Replica?.Counters.Batches ?? 0);
            if (done != last)
            {
                (last, quietSince) = (done, System.Diagnostics.Stopwatch.StartNew());
            }
            else if (idle > TimeSpan.Zero && done > 0 && quietSince.Elapsed >= idle)
            {
                return;
            }
            stop.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(50));
        }
    }

    private static void WriteFreshness(IReadOnlyDictionary<string, FreshnessSummary> freshness)
    {
        foreach (var (cause, fresh) in freshness)
        {
            Console.Out.WriteLine($"  {cause,-26} {fresh.Count,9:N0} effects   p50 {fresh.P50Milliseconds,8:F0} ms   p99 {fresh.P99Milliseconds,8:F0} ms");
        }
    }

    private sealed record WorkerReport(string Stage, string Name, double WallSeconds, StageCounts Counters, long Claimed, IReadOnlyDictionary<string, FreshnessSummary> Freshness);

    private sealed record ScaledOutReport(long Events, long Redelivered, long ResumedAt, double WallSeconds, double EventsPerSecond, int IndexedPosts,
        StageCounts? Prompts, IReadOnlyList<StageCounts> Embedders, StageCounts Index, IReadOnlyDictionary<string, FreshnessSummary> Freshness,
        NearlineOptions Options, IReadOnlyList<ReplaySample> Samples);

    private sealed record NearlineReport(long Events, long Redelivered, long ResumedAt, double WallSeconds, double EventsPerSecond, long DeadLetters,
        int IndexedPosts, NearlineStatus Status, NearlineOptions Options, IReadOnlyList<ReplaySample> Samples);
}
