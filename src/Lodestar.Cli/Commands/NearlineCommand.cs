// `lodestar nearline replay`: a world's events replayed in simulated time through the embedded nearline pipeline
// (prompts, embeddings by a trained feed-retrieval run's encoder, the post index), reporting throughput, freshness per
// event kind, embedding batch sizes and dead letters. Killed and started again on the same --out, it resumes.
using System.CommandLine;
using Lodestar.Core.Progress;
using Lodestar.Features.Retrieval;
using Lodestar.Pipelines.Embedded;
using Lodestar.Pipelines.Events;
using Lodestar.Pipelines.Store;
using Lodestar.Text.Prompts;

namespace Lodestar.Cli;

public static class NearlineCommand
{
    public static Command Create()
    {
        var command = new Command("nearline", "Nearline freshness: events become prompts, prompts become embeddings, embeddings become searchable.");
        command.Subcommands.Add(Replay());
        return command;
    }

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
        var json = CliJson.CreateOption();
        var command = new Command("replay", "Replay a world's member, post and impression events through the embedded pipeline and report throughput and freshness.")
        {
            Options = { run, world, output, speed, rate, window, batch, duplicates, limit, seed, json },
        };
        command.SetAction(parse =>
        {
            var encoder = RetrievalEncoder.Load(parse.GetValue(run)!.FullName);
            var worldDirectory = parse.GetValue(world)?.FullName ?? encoder.Settings.World;
            var progress = ProgressReporter.ForStandardError();
            progress.Line($"reading {worldDirectory}");
            var snapshot = WorldSnapshot.Load(worldDirectory);
            var log = FeedLog.Load(worldDirectory);
            var events = WorldEvents.Read(worldDirectory);
            var options = new NearlineOptions { WindowMilliseconds = parse.GetValue(window), MaxEmbedBatch = parse.GetValue(batch) };
            using var pipeline = EmbeddedPipeline.Open(parse.GetValue(output)!.FullName, encoder, encoder.Settings.Prompts(snapshot, log, encoder.Tokenizer), options);
            pipeline.Start();
            var summary = NearlineReplay.Run(pipeline, events,
                new ReplayOptions(parse.GetValue(speed), parse.GetValue(duplicates), parse.GetValue(seed), parse.GetValue(limit), Rate: parse.GetValue(rate)), progress);
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
            foreach (var (cause, fresh) in status.Freshness)
            {
                Console.Out.WriteLine($"  {cause,-26} {fresh.Count,9:N0} effects   p50 {fresh.P50Milliseconds,8:F0} ms   p99 {fresh.P99Milliseconds,8:F0} ms");
            }
            return 0;
        });
        return command;
    }

    private sealed record NearlineReport(long Events, long Redelivered, long ResumedAt, double WallSeconds, double EventsPerSecond, long DeadLetters,
        int IndexedPosts, NearlineStatus Status, NearlineOptions Options, IReadOnlyList<ReplaySample> Samples);
}
