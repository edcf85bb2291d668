// `lodestar bench match-candidates`: the time to score one member's N jobs with a match model that isolates the member,
// each way it can be done: every pair alone (batch 1), pairs in batches (how a pair model serves), all N in one pass
// (the member's tokens once, each job attending to them and itself: LinkedIn's multi-item scoring), and that pass with
// the body in int8 (calibrated on the same pairs) or bf16, the head in float32. The same weights and token ids in every case; the cases take turns in each round and each figure is the median over rounds (a ratio, of the ratios within each round). Only
// the model's forward pass is timed: rendering and tokenizing prompts (the serving "features" stage) is not.
using System.CommandLine;
using Lodestar.Core;
using Lodestar.Features.JobMatching;
using Lodestar.Kernels;
using Lodestar.Models.JobMatching;
using Spectre.Console;

namespace Lodestar.Bench.JobMatching;

public static class MatchCandidatesBench
{
    /// <summary>One way of scoring the N jobs: its median milliseconds for all of them, jobs per second, and the tokens its passes compute.</summary>
    public sealed record CaseFigures(string Case, double MedianMs, double JobsPerSecond, long TokensComputed, double SpeedupOverBatched);

    public sealed record MatchCandidatesResult(string Name, string Preset, long Parameters, int Candidates, int MemberTokens, int JobTokens, int Batch,
        int Rounds, int Threads, string Isa, IReadOnlyList<CaseFigures> Cases, double LargestDifference, double Int8LargestDifference);

    public static Command Create(BenchOutput output)
    {
        var preset = new Option<string>("--preset") { Description = $"Model size: {string.Join(", ", MatchModelConfig.Presets.Keys)}.", DefaultValueFactory = _ => "student" };
        var candidates = new Option<int>("--candidates") { Description = "Jobs scored for the member.", DefaultValueFactory = _ => 500 };
        var memberTokens = new Option<int>("--member-tokens") { Description = "Tokens of the member's part (profile and history).", DefaultValueFactory = _ => 48 };
        var jobTokens = new Option<int>("--job-tokens") { Description = "Tokens of each job's part.", DefaultValueFactory = _ => 48 };
        var batch = new Option<int>("--batch") { Description = "Pairs per pass when pairs are batched.", DefaultValueFactory = _ => 64 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds; each times every case in turn.", DefaultValueFactory = _ => 7 };
        var seconds = new Option<double>("--seconds") { Description = "Measuring time of one case in one round.", DefaultValueFactory = _ => 1.0 };
        var threads = new Option<int>("--threads") { Description = "Kernel threads (0 = all cores).", DefaultValueFactory = _ => 0 };
        var json = output.CreateJsonOption();
        var command = new Command("match-candidates", "Scoring one member's N jobs: each pair alone, pairs in batches, and all N in one pass after the member's tokens.")
        {
            Options = { preset, candidates, memberTokens, jobTokens, batch, rounds, seconds, threads, json },
        };
        command.SetAction(parse =>
        {
            var name = parse.GetValue(preset)!;
            var config = MatchModelConfig.Presets.TryGetValue(name, out var found) ? found
                : throw new ArgumentException($"--preset {name}: unknown (one of {string.Join(", ", MatchModelConfig.Presets.Keys)})");
            var result = Run(name, config, parse.GetValue(candidates), parse.GetValue(memberTokens), parse.GetValue(jobTokens), parse.GetValue(batch),
                parse.GetValue(rounds), parse.GetValue(seconds), BenchTiming.ResolveThreads(parse.GetValue(threads)));
            if (parse.GetValue(json))
            {
                output.WriteJson(result);
                return 0;
            }
            var table = new Table().AddColumns("case", "ms for all jobs", "jobs/s", "tokens computed", "speed-up over batched pairs");
            foreach (var c in result.Cases)
            {
                table.AddRow(c.Case, $"{c.MedianMs:F2}", $"{c.JobsPerSecond:F0}", $"{c.TokensComputed:N0}", $"{c.SpeedupOverBatched:F2}×");
            }
            table.Caption($"{result.Preset} ({result.Parameters:N0} parameters), {result.Candidates} jobs of {result.JobTokens} tokens after {result.MemberTokens} member tokens, " +
                $"batches of {result.Batch}, median of {result.Rounds} rounds, {result.Threads} threads, {result.Isa}; largest logit difference from pairs alone: one pass {result.LargestDifference:G3}, int8 body {result.Int8LargestDifference:G3}");
            output.ConsoleFor(false).Write(table);
            return 0;
        });
        return command;
    }

    public static MatchCandidatesResult Run(string presetName, MatchModelConfig preset, int candidates, int memberTokens, int jobTokens, int batch,
        int rounds, double seconds, int threads)
    {
        if (candidates < 1 || memberTokens < 1 || jobTokens < 1 || batch < 1 || rounds < 1 || !(seconds > 0))
        {
            throw new ArgumentException($"--candidates {candidates}, --member-tokens {memberTokens}, --job-tokens {jobTokens}, --batch {batch}, --rounds {rounds} " +
                $"and --seconds {seconds} must all be positive");
        }
        KernelThreads.Count = threads;
        // The built-in job policy's output layout: six dimensions of 3 to 5 levels, then overall and apply.
        var layout = new MatchOutputLayout([5, 4, 3, 3, 4, 5]);
        const int vocabulary = 4_096;
        var config = preset with { IsolatedMember = true, MaxTokens = Math.Max(preset.MaxTokens, memberTokens + jobTokens) };
        var model = new MatchModel(MatchRole.Student, config, vocabulary, layout);
        model.Eval();
        var int8 = new MatchModel(MatchRole.Student, config, vocabulary, layout);
        var bf16 = new MatchModel(MatchRole.Student, config, vocabulary, layout);
        var random = new SeededRandom(1);
        int Token() => 1 + (int)(random.NextUInt64() % (vocabulary - 1));
        var member = Enumerable.Range(0, memberTokens).Select(_ => Token()).ToArray();
        var jobs = Enumerable.Range(0, candidates).Select(_ => Enumerable.Range(0, jobTokens).Select(_ => Token()).ToArray()).ToList();
        var pairs = jobs.Select((job, i) =>
        {
            var tokens = new int[config.MaxTokens];
            var keep = new byte[config.MaxTokens];
            member.CopyTo(tokens, 0);
            job.CopyTo(tokens, memberTokens);
            keep.AsSpan(0, memberTokens + jobTokens).Fill(1);
            return MatchExample.Unlabelled(1, i, new EncodedPair(tokens, keep, memberTokens), 0);
        }).ToList();

        var pairTokens = (long)candidates * (memberTokens + jobTokens);
        var cases = new (string Name, long Tokens, Action Call)[]
        {
            ("pairs one by one", pairTokens, () => MatchScorer.Predict(model, pairs, batchSize: 1)),
            ($"pairs in batches of {batch}", pairTokens, () => MatchScorer.Predict(model, pairs, batch)),
            ("one pass", memberTokens + ((long)candidates * jobTokens), () => MatchScorer.PredictCandidates(model, member, jobs)),
            ("one pass, int8 body", memberTokens + ((long)candidates * jobTokens), () => MatchScorer.PredictCandidates(int8, member, jobs)),
            ("one pass, bf16 body", memberTokens + ((long)candidates * jobTokens), () => MatchScorer.PredictCandidates(bf16, member, jobs)),
        };
        var alone = MatchScorer.Predict(model, pairs, batch);
        var together = MatchScorer.PredictCandidates(model, member, jobs);
        var largest = alone.Zip(together).Max(p => Math.Abs(p.First - p.Second));
        MatchQuantization.QuantizeInt8(int8, pairs);
        var int8Largest = alone.Zip(MatchScorer.PredictCandidates(int8, member, jobs)).Max(p => Math.Abs(p.First - p.Second));
        MatchQuantization.ToBf16(bf16);

        var times = cases.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            // Alternate the order so no case always runs right after the same other one.
            var order = round % 2 == 0 ? Enumerable.Range(0, cases.Length) : Enumerable.Range(0, cases.Length).Reverse();
            foreach (var c in order)
            {
                times[c].Add(BenchTiming.Measure(cases[c].Call, TimeSpan.FromSeconds(seconds), minSamples: 3).MedianSeconds);
            }
        }
        // Each case against batched pairs of the same round, then the median of those ratios.
        var figures = cases.Select((c, i) =>
        {
            var median = Statistics.Median(times[i]);
            return new CaseFigures(c.Name, median * 1e3, candidates / median, c.Tokens, Statistics.Median(times[1].Zip(times[i], (b, t) => b / t)));
        }).ToList();
        return new MatchCandidatesResult("match-candidates", presetName, model.ParameterCount, candidates, memberTokens, jobTokens, batch, rounds, threads,
            PeakBench.Isa, figures, largest, int8Largest);
    }
}
