// `lodestar bench embed`: how many prompts a second a retrieval encoder embeds, mean-pooled, on this machine: the
// cost the nearline pipeline pays for every new or changed post. Batches of full-length prompts (every token real),
// inference graph, median of timed samples after warm-up.
using System.CommandLine;
using Lodestar.Core;
using Lodestar.Kernels;
using Lodestar.Models.Bert;
using Lodestar.Tensors;
using Lodestar.Training.Retrieval;
using Spectre.Console;

namespace Lodestar.Bench;

public static class EmbedBench
{
    public sealed record EmbedBenchResult(string Name, string Model, long Parameters, int Layers, int Channels, int Tokens, int Batch, int Threads,
        string Isa, double PromptsPerSecond, double TokensPerSecond, double MedianBatchMs, double AllocatedBytesPerBatch, int Samples);

    public static Command Create(BenchOutput output)
    {
        var checkpoint = new Option<FileInfo?>("--checkpoint") { Description = "An encoder checkpoint (encoder.bert: a retrieval run's best.safetensors, an imported MiniLM). Default: the feed-retrieval encoder's default shape with random weights." };
        var tokens = new Option<int>("--tokens") { Description = "Tokens per prompt T (a post prompt's budget).", DefaultValueFactory = _ => 64 };
        var batch = new Option<int>("--batch") { Description = "Prompts per forward pass.", DefaultValueFactory = _ => 64 };
        var threads = new Option<int>("--threads") { Description = "Kernel threads (0 = all cores).", DefaultValueFactory = _ => 0 };
        var seconds = new Option<double>("--seconds") { Description = "Time budget of the timed samples.", DefaultValueFactory = _ => 3 };
        var json = output.CreateJsonOption();
        var command = new Command("embed", "Prompts embedded per second by a retrieval encoder (mean-pooled, full-length prompts).")
        {
            Options = { checkpoint, tokens, batch, threads, seconds, json },
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(checkpoint)?.FullName;
            var model = path is null ? DefaultEncoder() : BertModel.Load(path);
            var result = Run(model, path ?? "feed-retrieval default (random weights)", parse.GetValue(tokens), parse.GetValue(batch),
                BenchTiming.ResolveThreads(parse.GetValue(threads)), TimeSpan.FromSeconds(parse.GetValue(seconds)));
            if (parse.GetValue(json))
            {
                output.WriteJson(result);
                return 0;
            }
            var table = new Table().AddColumns("figure", "value");
            table.AddRow("encoder", $"{result.Model}: {result.Parameters:N0} parameters, {result.Layers} layers of width {result.Channels}");
            table.AddRow("prompts", $"batches of {result.Batch} × {result.Tokens} tokens ({result.Threads} threads, {result.Isa})");
            table.AddRow("prompts/s", $"{result.PromptsPerSecond:N0} ({result.TokensPerSecond:N0} tokens/s)");
            table.AddRow("one batch, median", $"{result.MedianBatchMs:F2} ms over {result.Samples} samples");
            table.AddRow("managed bytes per batch", $"{result.AllocatedBytesPerBatch:N0}");
            output.ConsoleFor(false).Write(table);
            return 0;
        });
        return command;
    }

    /// <summary>The shared encoder a `retrieval train` run builds by default, over its default BPE vocabulary size.</summary>
    public static BertModel DefaultEncoder()
    {
        var config = new RetrievalConfig();
        return new BertModel(config.Model with { VocabSize = config.TokenizerVocab, Dropout = 0f });
    }

    public static EmbedBenchResult Run(BertModel model, string name, int tokens, int batch, int threads, TimeSpan budget)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (tokens > model.Config.MaxPositions)
        {
            throw new ArgumentException($"--tokens {tokens}: the encoder has {model.Config.MaxPositions} positions");
        }
        KernelThreads.Count = threads;
        model.Eval();
        var random = new SeededRandom(7);
        var ids = new int[batch * tokens];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = random.NextInt(model.Config.VocabSize);
        }
        var keep = new byte[ids.Length];
        keep.AsSpan().Fill(1);
        var graph = new Graph(recordGradients: false);
        var timing = BenchTiming.Measure(() =>
        {
            graph.Reset();
            model.Embed(graph, ids, batch, tokens, keep: keep);
        }, budget);
        var promptsPerSecond = batch / timing.MedianSeconds;
        return new EmbedBenchResult("embed", name, model.ParameterCount, model.Config.Layers, model.Config.Channels, tokens, batch, threads, PeakBench.Isa,
            promptsPerSecond, promptsPerSecond * tokens, timing.MedianSeconds * 1e3, timing.AllocatedBytesPerCall, timing.Samples);
    }
}
