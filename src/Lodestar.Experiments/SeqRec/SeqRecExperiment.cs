// One config trained under several seeds on one data file, and the mean ± spread of every metric across
// them: the form in which a seqrec result is reported (single seeds on Amazon data vary by a few percent).
using System.Text.Json;
using Lodestar.Core.Progress;
using Lodestar.Core;
using Lodestar.Data.Storage;
using Lodestar.Features.SeqRec;
using Lodestar.Training.Loop;
using Lodestar.Training.SeqRec;

namespace Lodestar.Experiments.SeqRec;

/// <summary>The finished runs of an experiment and their spreads; written as summary.json beside the runs.</summary>
public sealed record SeqRecSummary
{
    public const string FileName = "summary.json";

    public required SeqRecConfig Config { get; init; }

    public required RunData Data { get; init; }

    public required IReadOnlyList<int> Seeds { get; init; }

    /// <summary>Run directory of each seed, in seed order.</summary>
    public required IReadOnlyList<string> Runs { get; init; }

    public required bool HistoryExcluded { get; init; }

    /// <summary>How seen items were treated (HistoryMasks.Describe); compare with published tables only under the published rule.</summary>
    public string HistoryRule { get; init; } = "";

    public required IReadOnlyDictionary<string, SeedSpread> Test { get; init; }

    public required IReadOnlyDictionary<string, SeedSpread> BestValidation { get; init; }

    public required SeedSpread BestEpoch { get; init; }

    /// <summary>Wall-clock seconds from the start of training to the end of the best epoch's validation.</summary>
    public required SeedSpread SecondsToBestEpoch { get; init; }

    public static SeqRecSummary Of(IReadOnlyList<int> seeds, IReadOnlyList<string> runs, IReadOnlyList<RunRecord<SeqRecConfig>> records)
    {
        if (records.Count == 0 || records.Count != seeds.Count || records.Count != runs.Count)
        {
            throw new ArgumentException($"a summary needs one finished run per seed, got {records.Count} runs for {seeds.Count} seeds");
        }
        var unfinished = records.Select((r, i) => (r, i)).FirstOrDefault(x => x.r.Status != RunStatus.Finished || x.r.Test is null || x.r.BestValidation is null);
        if (unfinished.r is not null)
        {
            throw new ArgumentException($"{runs[unfinished.i]}: the run is {unfinished.r.Status}, not finished");
        }
        static IReadOnlyDictionary<string, SeedSpread> Spreads(IEnumerable<IReadOnlyDictionary<string, double>> metrics)
        {
            var list = metrics.ToList();
            return list[0].Keys.ToDictionary(key => key, key => SeedSpread.Of([.. list.Select(m => m[key])]), StringComparer.Ordinal);
        }
        return new SeqRecSummary
        {
            Config = records[0].Config with { Seed = seeds[0] },
            Data = records[0].Data,
            Seeds = seeds,
            Runs = runs,
            HistoryExcluded = records[0].Config.Evaluation.ExcludeHistory,
            HistoryRule = HistoryMasks.Describe(records[0].Config.Evaluation),
            Test = Spreads(records.Select(r => r.Test!)),
            BestValidation = Spreads(records.Select(r => r.BestValidation!)),
            BestEpoch = SeedSpread.Of([.. records.Select(r => (double)r.BestEpoch)]),
            SecondsToBestEpoch = SeedSpread.Of([.. records.Select(r => r.SecondsToBestEpoch)]),
        };
    }

    public void Write(string directory) =>
        AtomicFile.WriteAllBytes(Path.Combine(directory, FileName), JsonSerializer.SerializeToUtf8Bytes(this, RunJson.Options));
}

public static class SeqRecExperiment
{
    /// <summary>Run directory of one seed inside an experiment directory.</summary>
    public static string RunDirectory(string experimentDirectory, int seed) => Path.Combine(experimentDirectory, $"seed-{seed}");

    /// <summary>
    /// Trains <paramref name="config"/> once per seed into <c>DIR/seed-S</c> and summarises the runs. A seed whose
    /// directory already holds a finished run of exactly this config (seed included) is reused, an interrupted
    /// one is resumed, so a rerun of the same command only does the missing work; any other run there is an error.
    /// </summary>
    public static SeqRecSummary Run(
        SeqRecConfig config, IReadOnlyList<int> seeds, SequenceSplits data, string experimentDirectory,
        IProgressReporter? progress = null, Action<int, RunRecord<SeqRecConfig>, bool>? onSeedDone = null)
    {
        config.Validate();
        if (seeds.Count == 0 || seeds.Distinct().Count() != seeds.Count)
        {
            throw new ArgumentException($"--seeds must list distinct seeds, got [{string.Join(", ", seeds)}]");
        }
        Directory.CreateDirectory(experimentDirectory);
        var records = new List<RunRecord<SeqRecConfig>>();
        var runs = new List<string>();
        foreach (var seed in seeds)
        {
            var seeded = config with { Seed = seed };
            var directory = RunDirectory(experimentDirectory, seed);
            var existing = File.Exists(Path.Combine(directory, RunRecord<SeqRecConfig>.FileName)) ? RunRecord<SeqRecConfig>.Read(directory) : null;
            if (existing is not null && (!RunJson.SameConfig(existing.Config, seeded) || existing.Data.Input(SeqRecRun.SequencesInput).Sha256 != data.Provenance.Sha256))
            {
                throw new ArgumentException($"{directory}: holds a run of another config or data file; use another --out or remove it");
            }
            var reused = existing?.Status == RunStatus.Finished;
            var record = reused ? existing! : SeqRecRun.Train(seeded, data, directory, new LoopOptions(Resume: existing is not null, Progress: progress));
            onSeedDone?.Invoke(seed, record, reused);
            records.Add(record);
            runs.Add(directory);
        }
        var summary = SeqRecSummary.Of(seeds, runs, records);
        summary.Write(experimentDirectory);
        return summary;
    }
}
