// A claim as one command: named variants of one task's run config trained on one world under several seeds, and
// every test figure's mean ± spread per variant. Finished runs are reused and interrupted ones resumed, so a rerun
// only does the missing work. Feed retrieval and feed ranking experiments are this with their own run config.
using System.Text.Json;
using Lodestar.Core;
using Lodestar.Core.Progress;
using Lodestar.Data.Generation;
using Lodestar.Training.Loop;

namespace Lodestar.Experiments;

/// <summary>Where an experiment's world and runs live, its seeds, and its variants (each a TConfig; absent keys keep its defaults).</summary>
public abstract record VariantExperimentConfig<TConfig>
{
    /// <summary>The world every variant reads (generated there when it has no manifest).</summary>
    public abstract string World { get; init; }

    /// <summary>Where each variant's runs and the summary go.</summary>
    public abstract string Out { get; init; }

    public int WorldMembers { get; init; } = 6_000;

    public int WorldDays { get; init; } = 30;

    public ulong WorldSeed { get; init; } = 1;

    /// <summary>Seeds of each variant's run (batch order, sampling, weight init).</summary>
    public int[] Seeds { get; init; } = [1, 2, 3];

    /// <summary>The variants by name; each one's world is replaced by World and its seed by each of Seeds.</summary>
    public Dictionary<string, TConfig> Variants { get; init; } = [];

    /// <summary>Checks the experiment and, with <paramref name="validateVariant"/>, each variant.</summary>
    protected void ValidateExperiment(Action<TConfig> validateVariant)
    {
        this.Require(Seeds.Length > 0 && Seeds.Distinct().Count() == Seeds.Length, Seeds, "must be distinct seeds, at least one");
        this.Require(Variants.Count > 0, Variants.Count, "must name at least one variant");
        this.Require(WorldMembers >= 100, WorldMembers, "must be at least 100");
        foreach (var variant in Variants.Values)
        {
            validateVariant(variant);
        }
    }
}

/// <summary>Every variant's figures over the seeds; written as summary.json in the experiment's directory.</summary>
public sealed record ExperimentSummary(IReadOnlyList<int> Seeds, IReadOnlyDictionary<string, IReadOnlyDictionary<string, SeedSpread>> Variants)
{
    public const string FileName = "summary.json";
}

public static class VariantExperiment
{
    /// <summary>The run directory of one variant and seed.</summary>
    public static string RunDirectory<TConfig>(VariantExperimentConfig<TConfig> config, string variant, int seed) => Path.Combine(config.Out, variant, $"seed-{seed}");

    /// <summary>
    /// Trains every variant under every seed (<paramref name="seeded"/> gives a variant's config for a world and a seed,
    /// <paramref name="train"/> runs or resumes it) and writes the summary and the report, which compares and draws the
    /// <paramref name="headline"/> figures.
    /// </summary>
    public static ExperimentSummary Run<TConfig>(VariantExperimentConfig<TConfig> config, Func<TConfig, string, int, TConfig> seeded,
        Func<TConfig, string, LoopOptions, RunRecord<TConfig>> train, IReadOnlyList<string> headline, Action<string>? log = null, IProgressReporter? progress = null)
    {
        ExperimentWorld.EnsureGenerated(config.World, new WorldConfig { Members = config.WorldMembers, Days = config.WorldDays, Seed = config.WorldSeed }, log);
        var variants = new Dictionary<string, IReadOnlyDictionary<string, SeedSpread>>(StringComparer.Ordinal);
        var tests = new Dictionary<string, IReadOnlyList<IReadOnlyDictionary<string, double>>>(StringComparer.Ordinal);
        foreach (var (name, variant) in config.Variants)
        {
            var records = new List<RunRecord<TConfig>>();
            foreach (var seed in config.Seeds)
            {
                var run = RunDirectory(config, name, seed);
                log?.Invoke($"variant {name}, seed {seed}: {run}");
                var record = train(seeded(variant, config.World, seed), run, new LoopOptions(Resume: RunRecord<TConfig>.Exists(run), Progress: progress));
                log?.Invoke("  " + record.Describe());
                records.Add(record);
            }
            var keys = records[0].Test!.Keys.Where(k => records.All(r => r.Test!.ContainsKey(k)));
            variants[name] = keys.ToDictionary(k => k, k => SeedSpread.Of([.. records.Select(r => r.Test![k])]), StringComparer.Ordinal);
            tests[name] = [.. records.Select(r => r.Test!)];
        }
        var result = new ExperimentSummary(config.Seeds, variants);
        Directory.CreateDirectory(config.Out);
        AtomicFile.WriteAllBytes(Path.Combine(config.Out, ExperimentSummary.FileName), JsonSerializer.SerializeToUtf8Bytes(result, RunJson.Options));
        var report = ExperimentReport.Write(config.Out, Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(config.Out))), result, tests, headline);
        log?.Invoke($"report: {report}");
        return result;
    }
}
