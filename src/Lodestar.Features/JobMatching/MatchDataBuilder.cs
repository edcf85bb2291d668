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

    /// <summary>
    /// Renders each pair as the member's part (the member fields, then the job history) followed by the job's part (the
    /// job fields, its age and any counters), the member's cut to half the tokens; a model that isolates the member
    /// (MatchModelConfig.IsolatedMember) then scores many jobs after one pass over it. Off: member and job fields share
    /// one budget and the history comes last.
    /// </summary>
    /// <remarks>Written to JSON only when set, so configs and recipe hashes of runs without it are unchanged.</remarks>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool MemberFirst { get; init; }

    /// <summary>Stream tag of the member split draws.</summary>
    private const ulong SplitStream = 0;

    /// <summary>The split of a member's pairs: all of them stay in one split, so no member seen in training is evaluated.</summary>
    public MatchSplit SplitOf(long memberId)
    {
        var u = SeededRandom.UniformAt((ulong)Seed, SplitStream, memberId);
        return u < TestShare ? MatchSplit.Test : u < TestShare + ValidationShare ? MatchSplit.Validation : MatchSplit.Train;
    }

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
        var events = MatchPrompts.ReadEvents(worldDirectory);
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
        var prompts = new MatchPrompts(world, events, tokenizer, maxTokens, config);
        var scores = new int[policy.DimensionCount];
        var examples = new List<MatchExample>(pairs.Count);
        foreach (var ((memberId, jobId), info) in pairs.OrderBy(p => p.Key.Member).ThenBy(p => p.Key.Job))
        {
            var (tokens, keep, memberTokens) = prompts.Encode(memberId, jobId, info.Time, info.Day);
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
            examples.Add(new MatchExample(memberId, jobId, config.SplitOf(memberId), tokens, keep, levels, overall, info.Applied,
                truth.TryGetValue((memberId, jobId), out var t) ? t : float.NaN)
            { Day = info.Day, MemberTokens = memberTokens });
        }
        return new MatchDataSet(examples, policy, layout, tokenizer.VocabSize, maxTokens, Hash(examples, policy.Document.VersionKey), worldDirectory)
        {
            Config = config,
            Tokenizer = tokenizer,
        };
    }

    public static MatchOutputLayout LayoutOf(PolicyDocument policy) =>
        new(policy.Dimensions.Select(d => d.Scale.Max - d.Scale.Min + 1).ToArray());

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
