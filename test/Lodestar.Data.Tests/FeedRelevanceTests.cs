// Feed relevance is the interest and quality part of the simulator's engagement logit: on every logged impression,
// the true click logit less the member's bias and ln(merit) is left with the click base, the format offset, the
// affinity and engagement terms and the position term, and nothing else; merit answers for pairs never shown.
using Lodestar.Data.Generation;
using Lodestar.Data.GroundTruth;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Data.Vocabularies;

namespace Lodestar.Data.Tests;

public sealed class FeedRelevanceTests : IDisposable
{
    private readonly string _world = Directory.CreateTempSubdirectory("lodestar-relevance-").FullName;

    public FeedRelevanceTests() =>
        WorldGenerator.Generate(new WorldConfig { Seed = 13, Members = 800, Days = 6, MembersPerShard = 256 }, BuiltInVocabulary.Create(), _world);

    public void Dispose() => Directory.Delete(_world, recursive: true);

    [Fact]
    public void WhatTheClickLogitHoldsBesideMeritIsTheSimulatorsOtherTerms()
    {
        var relevance = FeedRelevance.Open(_world);
        var truth = Path.Combine(_world, DataFiles.GroundTruthDirectory);
        var bias = JsonlReader.Read(Path.Combine(truth, TruthFiles.Members), TruthJsonContext.Default.MemberTruth).ToDictionary(m => m.MemberId, m => (double)m.EngagementBias);
        var probabilities = ImpressionProbabilities.ReadAll(Path.Combine(truth, TruthFiles.ImpressionProbabilities)).ToDictionary(p => p.ImpressionId);
        var impressions = JsonlReader.Read(Path.Combine(_world, DataFiles.FeedImpressions), DataJson.Compact.FeedImpression).ToList();
        Assert.NotEmpty(impressions);
        // Click base −4.1, format offsets in [−0.3, 0.3], affinity 0 or 0.8, 0.1 ln(1 + the post's engagements so far).
        var most = 0.1 * Math.Log(1 + impressions.Count);
        foreach (var impression in impressions)
        {
            var p = (double)probabilities[impression.Id].Click;
            var rest = Math.Log(p / (1 - p)) - bias[impression.MemberId] - Math.Log(relevance.Merit(impression.MemberId, impression.PostId, impression.Day)) + (0.04 * impression.Position);
            Assert.InRange(rest, -4.1 - 0.3 - 1e-3, -4.1 + 0.3 + 0.8 + most + 1e-3);
        }

        var posts = JsonlReader.Read(Path.Combine(_world, DataFiles.Posts), DataJson.Compact.Post).Select(p => p.Id).ToList();
        var shown = impressions.Select(i => (i.MemberId, i.PostId)).ToHashSet();
        var unshown = posts.Select(p => (Member: 1L, Post: p)).First(x => !shown.Contains(x));
        Assert.True(relevance.Merit(unshown.Member, unshown.Post, 3) > 0);
        Assert.Contains("post -5", Assert.Throws<ArgumentException>(() => relevance.Merit(1, -5, 0)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALogWithoutTruthHasNoRelevanceAndABrokenTruthDirectoryIsNamed()
    {
        Assert.NotNull(FeedRelevance.OpenIfGenerated(_world));
        var imported = Directory.CreateTempSubdirectory("lodestar-imported-").FullName;
        try
        {
            Assert.Null(FeedRelevance.OpenIfGenerated(imported));
            var truth = Directory.CreateDirectory(Path.Combine(imported, DataFiles.GroundTruthDirectory)).FullName;
            File.Copy(Path.Combine(_world, DataFiles.GroundTruthDirectory, TruthFiles.Members), Path.Combine(truth, TruthFiles.Members));
            Assert.Contains(WorldManifest.FileName, Assert.ThrowsAny<Exception>(() => FeedRelevance.OpenIfGenerated(imported)).Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(imported, recursive: true);
        }
    }
}
