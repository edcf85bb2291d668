// One small generated world shared by the shape tests (generation once per test run keeps them fast),
// with its files loaded back through the public readers.
using Lodestar.Data.Generation;
using Lodestar.Data.GroundTruth;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Data.Vocabularies;

namespace Lodestar.Data.Tests;

public sealed class GeneratedWorldFixture : IDisposable
{
    public static readonly WorldConfig SmallConfig = new() { Seed = 42, Members = 4000, Days = 20, MembersPerShard = 512 };

    public GeneratedWorldFixture()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("lodestar-world-").FullName;
        Report = WorldGenerator.Generate(SmallConfig, BuiltInVocabulary.Create(), Directory);
        Members = [.. JsonlReader.Read(Path.Combine(Directory, DataFiles.Members), DataJson.Compact.Member)];
        Posts = [.. JsonlReader.Read(Path.Combine(Directory, DataFiles.Posts), DataJson.Compact.Post)];
        Impressions = [.. JsonlReader.Read(Path.Combine(Directory, DataFiles.FeedImpressions), DataJson.Compact.FeedImpression)];
        JobEvents = [.. JsonlReader.Read(Path.Combine(Directory, DataFiles.JobEvents), DataJson.Compact.JobEvent)];
        Probabilities = [.. ImpressionProbabilities.ReadAll(Path.Combine(Directory, DataFiles.GroundTruthDirectory, TruthFiles.ImpressionProbabilities))];
    }

    public string Directory { get; }

    public GenerationReport Report { get; }

    public List<Member> Members { get; }

    public List<Post> Posts { get; }

    public List<FeedImpression> Impressions { get; }

    public List<JobEvent> JobEvents { get; }

    public List<ImpressionProbabilities> Probabilities { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
