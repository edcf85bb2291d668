// `lodestar bench retrieval-history`: what a member prompt of engaged posts only saves against one of every impression,
// the cost side of LinkedIn's positives-only history (37% less memory per sequence, 40% more sequences per batch, 2.6×
// faster iterations). Both styles train the same encoder from the same weights on the same member-days and candidates:
// tokens per member prompt and as padded for the encoder (groups of similar length), activation and gradient bytes of the member tower per sequence and of a
// whole training step (the arena's floats in use after backward), the member-days a batch holds within the memory the
// every-impression step needs, and the median training step time of interleaved rounds (prompt rendering included).
using System.CommandLine;
using System.Diagnostics;
using Lodestar.Core;
using Lodestar.Features.Retrieval;
using Lodestar.Kernels;
using Lodestar.Models.Bert;
using Lodestar.Tensors;
using Lodestar.Text.Prompts;
using Lodestar.Text.Tokenization;
using Lodestar.Training.Loop;
using Lodestar.Training.Retrieval;
using Spectre.Console;

namespace Lodestar.Bench;

public static class RetrievalHistoryBench
{
    public sealed record StyleFigures(string History, double MeanMemberTokens, double MeanPaddedTokens, double CutShare,
        double MemberBytesPerSequence, double StepBytes, double MedianStepMs);

    public sealed record RetrievalHistoryBenchResult(string Name, string World, int MemberTokenBudget, int Batch, int Rounds, int Threads, string Isa,
        IReadOnlyList<StyleFigures> Styles, double MemberBytesSaved, double StepBytesSaved, int SequencesPerBatchAtBudget, double SequencesPerBatchRatio,
        double StepSpeedup);

    public static Command Create(BenchOutput output)
    {
        var world = new Option<DirectoryInfo>("--world") { Description = "World directory (from `lodestar world generate`).", Required = true };
        var config = new Option<FileInfo?>("--config") { Description = "A retrieval run config (encoder, budgets, negatives); its history is set to each style in turn. Default: the default run config." };
        var tokenizer = new Option<FileInfo?>("--tokenizer") { Description = "A retrieval run's tokenizer.json; default: a BPE vocabulary learned from the world, as a run learns it." };
        var batch = new Option<int>("--batch") { Description = "Member-days per training step. Default: the config's batch size.", DefaultValueFactory = _ => 0 };
        var rounds = new Option<int>("--rounds") { Description = "Timed rounds; each trains one batch in both styles, in alternating order.", DefaultValueFactory = _ => 15 };
        var threads = new Option<int>("--threads") { Description = "Kernel threads (0 = all cores).", DefaultValueFactory = _ => 0 };
        var json = output.CreateJsonOption();
        var command = new Command("retrieval-history", "Memory and step time of member prompts of engaged posts only against every impression (same encoder, member-days and candidates).")
        {
            Options = { world, config, tokenizer, batch, rounds, threads, json },
        };
        command.SetAction(parse =>
        {
            var loaded = parse.GetValue(config) is { } file ? RetrievalConfig.Load(file.FullName) : new RetrievalConfig();
            var runConfig = loaded with { World = parse.GetValue(world)!.FullName };
            if (parse.GetValue(batch) is > 0 and var size)
            {
                runConfig = runConfig with { Training = runConfig.Training with { BatchSize = size } };
            }
            var result = Run(runConfig, parse.GetValue(tokenizer)?.FullName, parse.GetValue(rounds), BenchTiming.ResolveThreads(parse.GetValue(threads)));
            if (parse.GetValue(json))
            {
                output.WriteJson(result);
                return 0;
            }
            var table = new Table().AddColumns("history", "member tokens", "padded tokens", "cut share", "member bytes / sequence", "step bytes", "step ms");
            foreach (var s in result.Styles)
            {
                table.AddRow(s.History, $"{s.MeanMemberTokens:F1}", $"{s.MeanPaddedTokens:F1}", $"{s.CutShare:F2}", $"{s.MemberBytesPerSequence:N0}", $"{s.StepBytes:N0}", $"{s.MedianStepMs:F1}");
            }
            table.Caption($"batch {result.Batch}, member budget {result.MemberTokenBudget} tokens, {result.Rounds} rounds, {result.Threads} threads, {result.Isa}: "
                + $"member memory saved {result.MemberBytesSaved:P0}, {result.SequencesPerBatchAtBudget} member-days a batch in the every-impression step's memory "
                + $"({result.SequencesPerBatchRatio:F2}×), steps {result.StepSpeedup:F2}× faster");
            output.ConsoleFor(false).Write(table);
            return 0;
        });
        return command;
    }

    public static RetrievalHistoryBenchResult Run(RetrievalConfig config, string? tokenizerPath, int rounds, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        config = config.Validate();
        if (config.Pretrained is not null)
        {
            throw new ArgumentException("retrieval-history measures the from-scratch encoder of the config; remove `pretrained`");
        }
        KernelThreads.Count = threads;
        IPromptTokenizer tokenizer = tokenizerPath is null ? RetrievalRun.TrainTokenizer(config.World, config.TokenizerVocab) : TokenizerJson.Load(tokenizerPath);
        var log = FeedLog.Load(config.World);
        var snapshot = WorldSnapshot.Load(config.World);
        var examples = RetrievalExamples.Build(log, config.Data);
        var fitBefore = RetrievalExamples.Boundaries(log, config.Data).ValidationStart;
        var size = config.Training.BatchSize;
        var batches = EpochBatches.Shuffled([.. examples.Where(e => e.Split == RetrievalSplit.Train)], size, EpochBatches.Random(config.Seed, 0))
            .Where(b => b.Count == size).Take(rounds + 1).ToList();
        if (batches.Count < rounds + 1)
        {
            throw new ArgumentException($"{config.World}: {batches.Count} full batches of {size} training member-days, {rounds + 1} needed (--rounds {rounds} and one to warm up)");
        }

        var styles = new[] { HistoryMode.Positives, HistoryMode.All }.Select(mode =>
        {
            var styled = config with { History = mode };
            var prompts = styled.Prompts(snapshot, log, tokenizer, fitBefore);
            var model = new BertModel(config.Model with { VocabSize = tokenizer.VocabSize, Pooling = BertPooling.Mean });
            return new Style(mode, prompts, model, new RetrievalTask(styled, log, prompts, model, examples));
        }).ToArray();

        foreach (var style in styles)
        {
            style.MeasureMemory(batches, config.Seed);
            style.Step(batches[0], config.Seed, config.Training.LearningRate);   // warm-up: JIT and the arena's first growth
        }
        for (var round = 1; round <= rounds; round++)
        {
            // Alternate which style goes first, so drift in the machine's speed falls on both alike.
            foreach (var style in round % 2 == 0 ? styles : styles.Reverse())
            {
                style.StepMilliseconds.Add(style.Step(batches[round], config.Seed, config.Training.LearningRate));
            }
        }

        var figures = styles.Select(s => s.Figures()).ToArray();
        var (positives, all) = (figures[0], figures[1]);
        // The every-impression step's memory is the budget; a positives-only step of b member-days needs b/size of its bytes.
        var sequences = (int)Math.Floor(size * all.StepBytes / positives.StepBytes);
        return new RetrievalHistoryBenchResult("retrieval-history", config.World, config.MemberTokens, size, rounds, threads, PeakBench.Isa, figures,
            1 - (positives.MemberBytesPerSequence / all.MemberBytesPerSequence), 1 - (positives.StepBytes / all.StepBytes), sequences, (double)sequences / size,
            all.MedianStepMs / positives.MedianStepMs);
    }

    private sealed class Style(HistoryMode mode, RetrievalPrompts prompts, BertModel model, RetrievalTask task)
    {
        private readonly Graph _graph = new();
        private readonly List<double> _memberBytes = [];
        private readonly List<double> _stepBytes = [];
        private readonly List<double> _tokens = [];
        private readonly List<double> _padded = [];
        private double _cutShare;

        public List<double> StepMilliseconds { get; } = [];

        /// <summary>Tokens and bytes of every batch: the member tower alone (forward and backward of its embeddings' mean),
        /// then the whole InfoNCE step with its candidates, each in a freshly reset arena.</summary>
        public void MeasureMemory(IReadOnlyList<List<RetrievalExample>> batches, int seed)
        {
            model.Train();
            prompts.ResetCounts();
            foreach (var batch in batches)
            {
                var members = batch.Select(e => prompts.MemberTokens(e.MemberId, e.Day)).ToList();
                _tokens.AddRange(members.Select(m => (double)m.Length));
                _padded.AddRange(PromptEmbedder.PaddedLengths(members).Select(p => (double)p));
                _graph.Reset();
                _graph.Backward(_graph.Mean(PromptEmbedder.Encode(model, _graph, members)));
                _memberBytes.Add(_graph.Arena.FloatsInUse * (double)sizeof(float) / batch.Count);
                _graph.Reset();
                _graph.Backward(task.Loss(_graph, batch, new SeededRandom((ulong)seed)).Loss);
                _stepBytes.Add(_graph.Arena.FloatsInUse * (double)sizeof(float));
                task.Optimizer.ZeroGrad();
            }
            var counts = prompts.PromptCounts;
            _cutShare = counts.Members == 0 ? 0 : (double)counts.MembersCut / counts.Members;
        }

        /// <summary>One training step as the loop takes it (prompts rendered, loss, backward, AdamW); milliseconds.</summary>
        public double Step(List<RetrievalExample> batch, int seed, float learningRate)
        {
            var start = Stopwatch.GetTimestamp();
            model.Train();
            _graph.Reset();
            _graph.Backward(task.Loss(_graph, batch, new SeededRandom((ulong)seed)).Loss);
            task.Optimizer.Step(learningRate);
            task.Optimizer.ZeroGrad();
            return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        public StyleFigures Figures() => new(mode == HistoryMode.Positives ? "positives" : "all", _tokens.Average(), _padded.Average(), _cutShare,
            Statistics.Median(_memberBytes), Statistics.Median(_stepBytes), Statistics.Median(StepMilliseconds));
    }
}
