// The match oracle rebuilds a generated world's latent state from its manifest: it answers for pairs the truth file
// does not list, agrees with every pair it does, and refuses a world whose truth file the manifest does not produce.
using Lodestar.Data.Generation;
using Lodestar.Data.GroundTruth;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Data.Vocabularies;

namespace Lodestar.Data.Tests;

public sealed class MatchOracleTests : IDisposable
{
    private readonly string _world = Directory.CreateTempSubdirectory("lodestar-oracle-").FullName;

    public MatchOracleTests() =>
        WorldGenerator.Generate(new WorldConfig { Seed = 11, Members = 600, Days = 5, MembersPerShard = 256, MatchSamplePairs = 200 }, BuiltInVocabulary.Create(), _world);

    public void Dispose() => Directory.Delete(_world, recursive: true);

    private string TruthPath => Path.Combine(_world, DataFiles.GroundTruthDirectory, TruthFiles.JobMatches);

    [Fact]
    public void EveryRecordedPairComesOutTheSameAndUnrecordedPairsAreAnswered()
    {
        var oracle = MatchOracle.Open(_world);
        var recorded = JsonlReader.Read(TruthPath, TruthJsonContext.Default.MatchTruth).ToList();
        Assert.NotEmpty(recorded);
        Assert.All(recorded, r => Assert.Equal(r, oracle.Match(r.MemberId, r.JobId) with { Observed = r.Observed }));

        var listed = recorded.Select(r => (r.MemberId, r.JobId)).ToHashSet();
        var unlisted = Enumerable.Range(1, oracle.Members).SelectMany(m => Enumerable.Range(1, oracle.Jobs).Select(j => ((long)m, (long)j))).Where(p => !listed.Contains(p)).Take(500).ToList();
        Assert.Equal(500, unlisted.Count);
        Assert.All(unlisted, p => Assert.InRange(oracle.Match(p.Item1, p.Item2).Overall, 0f, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => oracle.Match(oracle.Members + 1, 1));
    }

    [Fact]
    public void AWorldWhoseTruthTheManifestDoesNotProduceIsRefusedNamingTheLine()
    {
        var lines = File.ReadAllLines(TruthPath);
        var second = JsonlReader.Read(TruthPath, TruthJsonContext.Default.MatchTruth).ElementAt(1);
        lines[1] = System.Text.Json.JsonSerializer.Serialize(second with { Overall = second.Overall + 0.25f }, TruthJsonContext.Default.MatchTruth);
        File.WriteAllLines(TruthPath, lines);
        var error = Assert.Throws<InvalidDataException>(() => MatchOracle.Open(_world));
        Assert.Contains("job_match_truth.jsonl, line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnImportedWorldHasNoOracle()
    {
        var manifest = Path.Combine(_world, WorldManifest.FileName);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"source\": \"generated\"", "\"source\": \"movielens\"", StringComparison.Ordinal));
        Assert.Contains("only for generated worlds", Assert.Throws<ArgumentException>(() => MatchOracle.Open(_world)).Message, StringComparison.Ordinal);
    }
}
