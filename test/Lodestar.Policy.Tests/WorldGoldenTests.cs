// The golden set made from a real generated world's ground truth (truth/job_match_truth.jsonl): the
// embedded scorer agrees with it far better than chance, and well above a degraded copy of itself.
using Lodestar.Data.Generation;
using Lodestar.Data.Vocabularies;
using Lodestar.Policy.Agreement;
using Lodestar.Policy.Golden;
using Lodestar.Policy.Labeling;
using Lodestar.Text.Prompts;

namespace Lodestar.Policy.Tests;

public sealed class WorldGoldenTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-policy-world-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ScorerAgreesWithAGoldenSetFromTheWorldsGroundTruth()
    {
        WorldGenerator.Generate(new WorldConfig { Seed = 3, Members = 2000, Days = 10, MembersPerShard = 512 }, BuiltInVocabulary.Create(), _directory);
        var world = WorldSnapshot.Load(_directory);
        var candidates = WorldTruth.Read(world);
        var policy = PolicyLoader.LoadJobPolicy();
        var golden = GoldenSetGenerator.Generate(policy.Document, candidates, new GoldenSetConfig { Pairs = Math.Min(1500, candidates.Count - 10) });
        var path = Path.Combine(_directory, "golden.jsonl");
        LabelFile.Write(path, golden);
        var reread = LabelFile.Read(path, policy.Document);
        Assert.Equal(golden.Select(LabelFile.ToJson), reread.Select(LabelFile.ToJson));

        var scorer = new PolicyScorerLabeler(policy);
        var labels = WorldTruth.PairsOf(world, reread).Select(scorer.Label).ToList();
        var report = AgreementReport.Compare(policy.Document, reread, labels);
        Assert.True(report.MeanKappa > 0.6, $"mean kappa {report.MeanKappa}");
        Assert.True(report.Spearman > 0.3, $"spearman {report.Spearman}");
        Assert.True(report.PairwiseAccuracy > 0.6, $"pairwise accuracy {report.PairwiseAccuracy}");

        var random = new Random(8);
        var degraded = labels.Select(l => l with { Overall = random.NextDouble() < 0.5 ? random.Next(0, 5) : l.Overall }).ToList();
        var worse = AgreementReport.Compare(policy.Document, reread, degraded);
        Assert.True(report.Spearman > worse.Spearman && report.PairwiseAccuracy > worse.PairwiseAccuracy);
    }
}
