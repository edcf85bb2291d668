// Same seed → byte-identical files whatever the thread count; a different seed → a different world;
// config validation names the bad field.
using Lodestar.Core;
using Lodestar.Data.Generation;
using Lodestar.Data.Vocabularies;

namespace Lodestar.Data.Tests;

public sealed class DeterminismTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lodestar-determinism-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static readonly WorldConfig Config = new() { Seed = 7, Members = 1500, Days = 6, MembersPerShard = 256, MatchSamplePairs = 100 };

    [Fact]
    public void SameSeedGivesIdenticalBytesAcrossThreadCounts()
    {
        var a = Generate("a", Config with { Threads = 1 });
        var b = Generate("b", Config with { Threads = 4 });
        var files = Files(a);
        Assert.Contains("feed_impressions.jsonl", files);
        Assert.Contains(Path.Combine("truth", "impression_probabilities.bin"), files);
        Assert.Equal(files, Files(b));
        foreach (var file in files)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(a, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, file))), $"{file} differs between runs with the same seed");
        }
    }

    [Fact]
    public void DifferentSeedGivesDifferentWorld()
    {
        var a = Generate("a", Config);
        var c = Generate("c", Config with { Seed = 8 });
        foreach (var file in new[] { "members.jsonl", "posts.jsonl", "feed_impressions.jsonl", "job_events.jsonl" })
        {
            Assert.False(File.ReadAllBytes(Path.Combine(a, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(c, file))), $"{file} is the same under seeds 7 and 8");
        }
    }

    [Fact]
    public void ConfigValidationNamesTheField()
    {
        var error = Assert.Throws<InvalidConfigException>(() => (Config with { Days = 0 }).Validate());
        Assert.Contains("Days", error.Message);
        error = Assert.Throws<InvalidConfigException>(() => (Config with { StartDate = "05/01/2026" }).Validate());
        Assert.Contains("StartDate", error.Message);
    }

    private string Generate(string name, WorldConfig config)
    {
        var directory = Path.Combine(_root, name);
        WorldGenerator.Generate(config, BuiltInVocabulary.Create(), directory);
        return directory;
    }

    private static List<string> Files(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(directory, f)).Order(StringComparer.Ordinal)];
}
