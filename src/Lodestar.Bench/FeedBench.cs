// `lodestar bench feed`: the feed ranker's two costs on this machine. Serving: K candidates after an H-impression
// history scored in one pass against the same candidates scored one by one (each pass re-reading the history),
// in interleaved rounds, with the largest difference between the two scorings. Training: AdamW steps over batches
// of H-impression sequences, in sequence tokens (post and action tokens) per second. Several history lengths give
// the cost curves, drawn in an HTML report with a JSON of the same numbers beside it.
using System.CommandLine;
using System.Diagnostics;
using Lodestar.Core;
using Lodestar.Evaluation.Reports;
using Lodestar.Kernels;
using Lodestar.Models.FeedRanking;
using Lodestar.Nn.Optim;
using AdamW = Lodestar.Nn.Optim.AdamW;
using Lodestar.Tensors;
using Spectre.Console;

namespace Lodestar.Bench;

public static class FeedBench
{
    public sealed record FeedBenchResult(string Name, int Channels, int Layers, long Parameters, int History, int Candidates, int Threads, string Isa,
        double MultiItemMs, double OneByOneMs, double SpeedupMedian, double MaxScoreDifference, int Rounds,
        int TrainBatch, double TrainStepMs, double TrainTokensPerSecond, double TrainImpressionsPerSecond, int TrainSteps);

    public static Command Create(BenchOutput output)
    {
        var histories = new Option<int[]>("--history")
        {
            Description = "Impressions of history before the candidates (and in each training sequence); several give the cost curves, e.g. --history 100 300 1000.",
            DefaultValueFactory = _ => [200],
            AllowMultipleArgumentsPerToken = true,
        };
        var report = new Option<FileInfo?>("--report") { Description = "Also write an HTML report of the costs against history length, with a JSON of the same numbers beside it." };
        var candidates = new Option<int>("--candidates") { Description = "Candidates scored after the history.", DefaultValueFactory = _ => 500 };
        var channels = new Option<int>("--channels") { Description = "Model width C (heads of 32 channels).", DefaultValueFactory = _ => 128 };
        var layers = new Option<int>("--layers") { Description = "Transformer blocks.", DefaultValueFactory = _ => 2 };
        var rounds = new Option<int>("--rounds") { Description = "Interleaved rounds of multi-item and one-by-one scoring.", DefaultValueFactory = _ => 5 };
        var batch = new Option<int>("--batch") { Description = "Sequences per training step.", DefaultValueFactory = _ => 32 };
        var steps = new Option<int>("--steps") { Description = "Timed training steps (after 2 warm-up steps).", DefaultValueFactory = _ => 8 };
        var threads = new Option<int>("--threads") { Description = "Kernel threads (0 = all cores).", DefaultValueFactory = _ => 0 };
        var json = output.CreateJsonOption();
        var command = new Command("feed", "Feed ranker speed: candidates scored in one pass against one by one, and training tokens per second.")
        {
            Options = { histories, candidates, channels, layers, rounds, batch, steps, threads, report, json },
        };
        command.SetAction(parse =>
        {
            var width = parse.GetValue(channels);
            var results = new List<FeedBenchResult>();
            foreach (var history in parse.GetValue(histories)!)
            {
                var config = new FeedRankerConfig
                {
                    MaxHistory = history, Channels = width, Heads = Math.Max(1, width / 32), FeedForward = 4 * width, Layers = parse.GetValue(layers), Dropout = 0f,
                };
                var result = Run(config, parse.GetValue(candidates), parse.GetValue(rounds), parse.GetValue(batch), parse.GetValue(steps), BenchTiming.ResolveThreads(parse.GetValue(threads)));
                results.Add(result);
                if (parse.GetValue(json))
                {
                    output.WriteJson(result);
                    continue;
                }
                var table = new Table().AddColumns("figure", "value");
                table.AddRow("ranker", $"d {result.Channels}, {result.Layers} layers, {result.Parameters:N0} parameters ({result.Threads} threads, {result.Isa})");
                table.AddRow($"{result.Candidates} candidates after {result.History} impressions: one pass", $"{result.MultiItemMs:F2} ms (median of {result.Rounds} rounds)");
                table.AddRow("the same candidates one by one", $"{result.OneByOneMs:F1} ms");
                table.AddRow("one pass against one by one (median of per-round ratios)", $"{result.SpeedupMedian:F1}×");
                table.AddRow("largest score difference between the two", $"{result.MaxScoreDifference:E2}");
                table.AddRow($"training: batches of {result.TrainBatch} × {result.History} impressions", $"{result.TrainStepMs:F1} ms a step, {result.TrainTokensPerSecond:N0} sequence tokens/s ({result.TrainImpressionsPerSecond:N0} impressions/s)");
                output.ConsoleFor(false).Write(table);
            }
            if (parse.GetValue(report) is { } file)
            {
                WriteReport(file.FullName, results);
            }
            return 0;
        });
        return command;
    }

    /// <summary>The cost curves: scoring time per member and training throughput against history length, and every figure in a table.</summary>
    public static void WriteReport(string path, IReadOnlyList<FeedBenchResult> results)
    {
        var ordered = results.OrderBy(r => r.History).ToList();
        var first = ordered[0];
        var report = new HtmlReport("Lodestar bench: feed ranker cost against history length");
        report.Paragraph($"Ranker d {first.Channels}, {first.Layers} layers, {ReportNumber.Count(first.Parameters)} parameters; {first.Candidates} candidates; {first.Threads} threads, {first.Isa}; " +
            $"medians of {first.Rounds} interleaved rounds (scoring) and {first.TrainSteps} steps (training).");
        report.Section("Serving", $"The time to score {first.Candidates} candidates for one member after a history of H impressions: in one pass (the history read once, " +
            "every candidate attending to it), and one by one (the history read again for each). Their ratio is what scoring in one pass saves.");
        foreach (var chart in SvgCharts.LineCharts("Scoring one member's candidates", "history length (impressions)", "ms per member",
            [new Series("one pass", [.. ordered.Select(r => ((double)r.History, r.MultiItemMs))]), new Series("one by one", [.. ordered.Select(r => ((double)r.History, r.OneByOneMs))])]))
        {
            report.Chart(chart);
        }
        report.Section("Training", $"Sequence tokens (a post and an action token per impression) trained per second at batches of {first.TrainBatch} sequences of H impressions.");
        report.Chart(SvgCharts.LineChart("Training throughput", "history length (impressions)", "sequence tokens/s",
            [new Series("training", [.. ordered.Select(r => ((double)r.History, r.TrainTokensPerSecond))])]));
        report.Table(["history", "one pass ms", "one by one ms", "ratio", "largest difference", "training ms/step", "tokens/s"],
            ordered.Select(r => (IReadOnlyList<string>)[ReportNumber.Count(r.History), ReportNumber.Format(r.MultiItemMs), ReportNumber.Format(r.OneByOneMs),
                ReportNumber.Format(r.SpeedupMedian), r.MaxScoreDifference.ToString("E1", System.Globalization.CultureInfo.InvariantCulture), ReportNumber.Format(r.TrainStepMs), ReportNumber.Count((long)r.TrainTokensPerSecond)]));
        report.Write(path, ordered, Training.Loop.RunJson.Options);
    }

    public static FeedBenchResult Run(FeedRankerConfig config, int candidateCount, int rounds, int batch, int steps, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(candidateCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        KernelThreads.Count = threads;
        var model = new FeedRankerModel(config, 3);
        var random = new SeededRandom(11);
        var history = Events(config.MaxHistory, random);
        var candidates = Enumerable.Range(0, candidateCount).Select(_ => Post(random)).ToArray();
        var features = Features(candidateCount * config.FusedFeatures, random);
        model.Eval();
        model.Score(history, candidates, features);
        var (multi, single, ratios) = (new double[rounds], new double[rounds], new double[rounds]);
        var largest = 0.0;
        for (var round = 0; round < rounds; round++)
        {
            var start = Stopwatch.GetTimestamp();
            var together = model.Score(history, candidates, features);
            multi[round] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            start = Stopwatch.GetTimestamp();
            for (var k = 0; k < candidateCount; k++)
            {
                var alone = model.Score(history, [candidates[k]], features.AsSpan(k * config.FusedFeatures, config.FusedFeatures));
                for (var task = 0; task < FeedTasks.Count; task++)
                {
                    largest = Math.Max(largest, Math.Abs(alone[task] - together[(k * FeedTasks.Count) + task]));
                }
            }
            single[round] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            ratios[round] = single[round] / multi[round];
        }

        model.Train();
        var sequences = Enumerable.Range(0, batch).Select(_ => new FeedSequence(Events(config.MaxHistory, random), Features(config.MaxHistory * config.FusedFeatures, random), 0)).ToList();
        var trainingBatch = FeedBatch.ForTraining(config, sequences);
        var optimizer = new AdamW(model.Parameters(), new AdamWConfig { LearningRate = 1e-4f });
        var graph = new Graph();
        float[] weights = [1, 1, 1, 1, 1, 1];
        void Step()
        {
            graph.Reset();
            optimizer.ZeroGrad();
            graph.Backward(model.Loss(graph, trainingBatch, weights));
            optimizer.Step();
        }
        Step();
        Step();
        var stepTimes = new double[steps];
        for (var s = 0; s < steps; s++)
        {
            var start = Stopwatch.GetTimestamp();
            Step();
            stepTimes[s] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        var stepSeconds = Statistics.Median(stepTimes);
        var tokens = trainingBatch.Lengths.Sum();
        return new FeedBenchResult("feed_ranker", config.Channels, config.Layers, model.ParameterCount, config.MaxHistory, candidateCount, threads, PeakBench.Isa,
            Statistics.Median(multi), Statistics.Median(single), Statistics.Median(ratios), largest, rounds,
            batch, stepSeconds * 1e3, tokens / stepSeconds, (double)batch * config.MaxHistory / stepSeconds, steps);
    }

    private static RankedPost Post(SeededRandom random) =>
        new(random.NextInt(1_000_000), random.NextInt(5), $"topic-{random.NextInt(300)}", random.NextInt(10_000) - 5_000);

    private static FeedEvent[] Events(int count, SeededRandom random) =>
        [.. Enumerable.Range(0, count).Select(_ => new FeedEvent(Post(random), random.NextInt(1 << FeedTasks.Count)))];

    private static float[] Features(int count, SeededRandom random) => [.. Enumerable.Range(0, count).Select(_ => (float)random.NextDouble())];
}
