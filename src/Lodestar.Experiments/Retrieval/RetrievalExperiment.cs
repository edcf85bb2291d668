// A feed-retrieval claim as one command: named variants of the dual-encoder config (percentile vs raw counts,
// H hard negatives, ...) trained on one world under several seeds, and every test figure's mean ± spread per
// variant. Finished runs are reused and interrupted ones resumed, so a rerun only does the missing work.
using System.Text.Json;
using Lodestar.Core;
using Lodestar.Core.Progress;
using Lodestar.Data.Generation;
using Lodestar.Data.Schema;
using Lodestar.Data.Vocabularies;
using Lodestar.Training.Loop;
using Lodestar.Training.Retrieval;

namespace Lodestar.Experiments.Retrieval;

public sealed record RetrievalExperimentConfig
{
    /// <summary>The world every variant reads (generated there when it has no manifest).</summary>
    public string World { get; init; } = "runs/retrieval-experiment/world";

    /// <summary>Where each variant's runs and the summary go.</summary>
    public string Out { get; init; } = "runs/retrieval-experiment";

    public int WorldMembers { get; init; } = 6_000;

    public int WorldDays { get; init; } = 30;

    public ulong WorldSeed { get; init; } = 1;

    /// <summary>Seeds of each variant's run (batch order, negatives, weight init).</summary>
    public int[] Seeds { get; init; } = [1, 2, 3];

    /// <summary>The variants by name, each a RetrievalConfig (absent keys keep its defaults; its world is replaced by World).</summary>
    public Dictionary<string, RetrievalConfig> Variants { get; init; } = [];

    public RetrievalExperimentConfig Validate()
    {
        this.Require(Seeds.Length > 0 && Seeds.Distinct().Count() == Seeds.Length, Seeds, "must be distinct seeds, at least one");
        this.Require(Variants.Count > 0, Variants.Count, "must name at least one variant");
        this.Require(WorldMembers >= 100, WorldMembers, "must be at least 100");
        foreach (var variant in Variants.Values)
        {
            variant.Validate();
        }
        return this;
    }

    public static RetrievalExperimentConfig Load(string path) => RunJson.ReadConfig<RetrievalExperimentConfig>(path, c => c.Validate());
}

/// <summary>Every variant's figures over the seeds; written as summary.json in the experiment's directory.</summary>
public sealed record RetrievalExperimentResult(IReadOnlyList<int> Seeds, IReadOnlyDictionary<string, IReadOnlyDictionary<string, SeedSpread>> Variants)
{
    public const string FileName = "summary.json";
}

public static class RetrievalExperiment
{
    /// <summary>The run directory of one variant and seed.</summary>
    public static string RunDirectory(RetrievalExperimentConfig config, string variant, int seed) => Path.Combine(config.Out, variant, $"seed-{seed}");

    public static RetrievalExperimentResult Run(RetrievalExperimentConfig config, Action<string>? log = null, IProgressReporter? progress = null)
    {
        config.Validate();
        if (!File.Exists(Path.Combine(config.World, WorldManifest.FileName)))
        {
            log?.Invoke($"generating a world of {config.WorldMembers} members in {config.World}");
            WorldGenerator.Generate(new WorldConfig { Members = config.WorldMembers, Days = config.WorldDays, Seed = config.WorldSeed }, BuiltInVocabulary.Create(), config.World);
        }
        var variants = new Dictionary<string, IReadOnlyDictionary<string, SeedSpread>>(StringComparer.Ordinal);
        foreach (var (name, variant) in config.Variants)
        {
            var records = new List<RunRecord<RetrievalConfig>>();
            foreach (var seed in config.Seeds)
            {
                var run = RunDirectory(config, name, seed);
                var seeded = variant with { World = config.World, Seed = seed, Model = variant.Model with { Seed = (ulong)seed } };
                log?.Invoke($"variant {name}, seed {seed}: {run}");
                var record = RetrievalRun.Train(seeded, run, new LoopOptions(Resume: RunRecord<RetrievalConfig>.Exists(run), Progress: progress));
                log?.Invoke("  " + record.Describe());
                records.Add(record);
            }
            var keys = records[0].Test!.Keys;
            variants[name] = keys.ToDictionary(k => k, k => SeedSpread.Of([.. records.Select(r => r.Test![k])]), StringComparer.Ordinal);
        }
        var result = new RetrievalExperimentResult(config.Seeds, variants);
        Directory.CreateDirectory(config.Out);
        AtomicFile.WriteAllBytes(Path.Combine(config.Out, RetrievalExperimentResult.FileName), JsonSerializer.SerializeToUtf8Bytes(result, RunJson.Options));
        return result;
    }
}
