// Builds the match data set from a generated world: viewed jobs with apply labels (job events), pairs
// drawn by the policy sampler and labeled by the embedded scorer, and the world's ground-truth pairs;
// each rendered with a compact pair prompt plus the member's recent job history, then tokenized.
using System.Security.Cryptography;
using System.Text;
using Lodestar.Core;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Models.JobMatching;
using Lodestar.Policy;
using Lodestar.Policy.Golden;
using Lodestar.Policy.Synthesis;
using Lodestar.Text.Prompts;
using Lodestar.Text.Tokenization;

namespace Lodestar.Features.JobMatching;

public sealed record MatchDataConfig
{
    /// <summary>Pairs drawn by the policy sampler and labeled by the policy scorer.</summary>
    public int PolicyPairs { get; init; } = 4_000;

    /// <summary>Job events before a view, newest first, shown as the member's history.</summary>
    public int HistoryEvents { get; init; } = 3;

    /// <summary>Share of members (by hashed id) held out for validation and for test.</summary>
    public double ValidationShare { get; init; } = 0.1;

    public double TestShare { get; init; } = 0.15;

    /// <summary>Seed of the pair sampler and the member split.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// Appends past apply rates of the company, the job and the member (EngagementFeatures) to each prompt: counters a
    /// click teacher reads and the student, serving from the prompt alone, does not.
    /// </summary>
    /// <remarks>Written to JSON only when set, so configs and recipe hashes of runs without it are unchanged.</remarks>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool EngagementFeatures { get; init; }

    public MatchDataConfig Validate()
    {
        this.Require(PolicyPairs >= 1, PolicyPairs, "must be positive");
        this.Require(HistoryEvents >= 0, HistoryEvents, "must not be negative");
        this.Require(ValidationShare > 0, ValidationShare, "must be positive");
        this.Require(TestShare > 0, TestShare, "must be positive");
        this.Require(ValidationShare + TestShare < 0.9, TestShare, $"must leave a training split: with ValidationShare {ValidationShare} the two reach 0.9");
        return this;
    }
}

/// <summary>The built examples with the policy, tokenizer and a content hash of everything that shaped them.</summary>
public sealed record MatchDataSet(
    IReadOnlyList<MatchExample> Examples,
    CompiledPolicy<Member, Job> Policy,
    MatchOutputLayout Layout,
    int VocabSize,
    int MaxTokens,
    string ContentHash,
    string WorldDirectory)
{
    /// <summary>The data config the examples were built with.</summary>
    public MatchDataConfig Config { get; init; } = new();

    /// <summary>The tokenizer the examples were built with (to rebuild the same pairs under another data config).</summary>
    public BpeTokenizer? Tokenizer { get; init; }

    public IEnumerable<MatchExample> In(MatchSplit split) => Examples.Where(e => e.Split == split);
}

public static class MatchDataBuilder
{
    /// <summary>A shorter pair prompt than the built-in one (no description or work history) so CPU training fits minutes.</summary>
    private const string CompactPairTemplate = """
        template: match_pair
        kind: pair
        budget: 88
        fields:
          - { name: title, source: member.current_title, format: text, budget: 10, priority: 1 }
          - { name: seniority, source: member.seniority, format: category, budget: 4, priority: 1 }
          - { name: skills, source: member.skills, format: list, budget: 16, priority: 1 }
          - { name: credentials, source: member.credentials, format: list, budget: 6, priority: 2 }
          - { name: work_authorisations, source: member.work_authorisations, format: list, budget: 5, priority: 2 }
          - { name: location, source: member.location, format: category, budget: 6, priority: 2 }
          - { name: workplace, source: member.remote_preference, format: category, budget: 3, priority: 2 }
          - { name: job_title, source: job.title, format: text, budget: 10, priority: 1 }
          - { name: company, source: job.company, format: category, budget: 5, priority: 1 }
          - { name: job_seniority, source: job.seniority, format: category, budget: 4, priority: 1 }
          - { name: required_skills, source: job.required_skills, format: list, budget: 16, priority: 1 }
          - { name: requirements, source: job.hard_requirements, format: list, budget: 6, priority: 2 }
          - { name: job_location, source: job.location, format: category, budget: 6, priority: 2 }
          - { name: job_workplace, source: job.workplace, format: category, budget: 3, priority: 2 }
        """;

    /// <summary>Learns a byte-level BPE vocabulary from the world's member and job records (with the prompt markers as added tokens).</summary>
    public static BpeTokenizer TrainTokenizer(string worldDirectory, int vocabSize)
    {
        var trainer = new BpeTrainer(new BpeTrainerConfig
        {
            VocabSize = vocabSize,
            AddedTokens = PromptVocabulary.AddedTokens(PromptLibrary.LoadBuiltIn()),
        });
        trainer.AddFile(Path.Combine(worldDirectory, DataFiles.Members));
        trainer.AddFile(Path.Combine(worldDirectory, DataFiles.Jobs));
        return trainer.Train();
    }

    public static MatchDataSet Build(string worldDirectory, CompiledPolicy<Member, Job> policy, BpeTokenizer tokenizer, int maxTokens, MatchDataConfig config)
    {
        config.Validate();
        var world = WorldSnapshot.Load(worldDirectory);
        var events = ReadEvents(worldDirectory);
        var truth = WorldTruth.Read(world).GroupBy(t => (t.Pair.Member.Id, t.Pair.Job.Id)).ToDictionary(g => g.Key, g => (float)g.First().Overall);

        // Pair → (apply label, time and day of the view); the first view of a pair is its example. Pairs
        // nobody viewed are shown as of the world's last day.
        var applied = events.Where(e => e.Action == JobAction.Apply).Select(e => (e.MemberId, e.JobId)).ToHashSet();
        var pairs = new Dictionary<(long Member, long Job), (int Applied, long Time, int Day, bool Policy)>();
        foreach (var view in events.Where(e => e.Action == JobAction.View))
        {
            pairs.TryAdd((view.MemberId, view.JobId), (applied.Contains((view.MemberId, view.JobId)) ? 1 : 0, view.Time, view.Day, false));
        }
        var members = world.Members.Values.OrderBy(m => m.Id).ToList();
        var jobs = world.Jobs.Values.OrderBy(j => j.Id).ToList();
        foreach (var sampled in PairSampler.Plan(members, jobs, policy, new SamplerConfig { Pairs = config.PolicyPairs, Seed = config.Seed }))
        {
            var key = (sampled.Pair.Member.Id, sampled.Pair.Job.Id);
            pairs[key] = pairs.TryGetValue(key, out var existing) ? existing with { Policy = true } : (-1, long.MaxValue, world.LastDay, true);
        }
        foreach (var key in truth.Keys)
        {
            pairs.TryAdd(key, (-1, long.MaxValue, world.LastDay, false));
        }

        var layout = LayoutOf(policy.Document);
        var entry = new LibraryEntry(TemplateYamlReader.Parse(CompactPairTemplate, "built-in:match_pair"), CompactPairTemplate, null);
        var renderer = new PromptRenderer(tokenizer, world.LastDay);
        var history = events.Where(e => e.Action != JobAction.View).GroupBy(e => e.MemberId)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(e => e.Time).ThenByDescending(e => e.Id).ToArray());
        var scores = new int[policy.DimensionCount];
        var engagement = config.EngagementFeatures ? new EngagementFeatures(events, jobId => world.Job(jobId).CompanyId) : null;
        engagement?.Fit(pairs.Where(p => p.Value.Applied >= 0 && SplitOf(p.Key.Member, config) == MatchSplit.Train).Select(p => (p.Key.Member, p.Key.Job, p.Value.Time)));
        var examples = new List<MatchExample>(pairs.Count);
        foreach (var ((memberId, jobId), info) in pairs.OrderBy(p => p.Key.Member).ThenBy(p => p.Key.Job))
        {
            var text = renderer.Render(entry, PromptSubjects.ForPair(world, memberId, jobId)).Text
                + $" posted {Math.Max(0, info.Day - world.Job(jobId).PostedDay)} days ago"
                + (engagement?.Text(memberId, jobId, info.Time) ?? "")
                + HistoryText(world, history.GetValueOrDefault(memberId), jobId, info.Time, config.HistoryEvents);
            var (tokens, keep) = Tokenize(tokenizer, text, maxTokens);
            int[]? levels = null;
            var overall = float.NaN;
            if (info.Policy)
            {
                var score = policy.Score(world.Member(memberId), world.Job(jobId), scores);
                levels = new int[scores.Length];
                for (var d = 0; d < scores.Length; d++)
                {
                    levels[d] = scores[d] - policy.Document.Dimensions[d].Scale.Min;
                }
                var scale = policy.Document.Overall.Scale;
                overall = (float)((score - scale.Min) / (scale.Max - scale.Min));
            }
            examples.Add(new MatchExample(memberId, jobId, SplitOf(memberId, config), tokens, keep, levels, overall, info.Applied,
                truth.TryGetValue((memberId, jobId), out var t) ? t : float.NaN)
            { Day = info.Day });
        }
        return new MatchDataSet(examples, policy, layout, tokenizer.VocabSize, maxTokens, Hash(examples, policy.Document.VersionKey), worldDirectory)
        {
            Config = config,
            Tokenizer = tokenizer,
        };
    }

    public static MatchOutputLayout LayoutOf(PolicyDocument policy) =>
        new(policy.Dimensions.Select(d => d.Scale.Max - d.Scale.Min + 1).ToArray());

    private static List<JobEvent> ReadEvents(string worldDirectory)
    {
        var path = Path.Combine(worldDirectory, DataFiles.JobEvents);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: job events not found (generate the world with `lodestar world generate`)", path);
        }
        return JsonlReader.Read(path, DataJson.Compact.JobEvent).ToList();
    }

    private static string HistoryText(WorldSnapshot world, JobEvent[]? events, long jobId, long before, int count)
    {
        if (events is null || count == 0)
        {
            return "";
        }
        var recent = events.Where(e => e.Time < before && e.JobId != jobId).Take(count)
            .Select(e => $"{(e.Action == JobAction.Apply ? "applied" : "dismissed")} {world.Job(e.JobId).Title}").ToList();
        return recent.Count == 0 ? "" : " history: " + string.Join("; ", recent);
    }

    private static (int[] Tokens, byte[] Keep) Tokenize(BpeTokenizer tokenizer, string text, int maxTokens)
    {
        var ids = tokenizer.Encode(text);
        var tokens = new int[maxTokens];
        var keep = new byte[maxTokens];
        var length = Math.Min(ids.Length, maxTokens);
        ids.AsSpan(0, length).CopyTo(tokens);
        keep.AsSpan(0, Math.Max(length, 1)).Fill(1);
        return (tokens, keep);
    }

    /// <summary>Stream tag of the member split draws.</summary>
    private const ulong SplitStream = 0;

    private static MatchSplit SplitOf(long memberId, MatchDataConfig config)
    {
        // A member's pairs stay in one split, so no member seen in training is evaluated.
        var u = SeededRandom.UniformAt((ulong)config.Seed, SplitStream, memberId);
        return u < config.TestShare ? MatchSplit.Test : u < config.TestShare + config.ValidationShare ? MatchSplit.Validation : MatchSplit.Train;
    }

    private static string Hash(IReadOnlyList<MatchExample> examples, string policyVersion)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(policyVersion));
        Span<byte> buffer = stackalloc byte[8];
        foreach (var e in examples)
        {
            BitConverter.TryWriteBytes(buffer, e.MemberId);
            sha.AppendData(buffer);
            BitConverter.TryWriteBytes(buffer, e.JobId);
            sha.AppendData(buffer);
            sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(e.Tokens.AsSpan()));
            BitConverter.TryWriteBytes(buffer, e.Applied);
            sha.AppendData(buffer[..4]);
            BitConverter.TryWriteBytes(buffer, e.PolicyOverall);
            sha.AppendData(buffer[..4]);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
