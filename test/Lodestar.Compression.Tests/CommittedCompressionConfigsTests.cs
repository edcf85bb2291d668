// Every config committed under configs/compress/ reads and validates as `lodestar compress experiment` reads it, so a
// misspelt field or arms of unequal size or budget fail here, not an hour into an experiment.
using Lodestar.Compression.JobMatching;
using Lodestar.TestSupport;

namespace Lodestar.Compression.Tests;

public class CommittedCompressionConfigsTests
{
    public static TheoryData<string> Configs()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(RepoPaths.Root, "configs", "compress"), "*.json").Order())
        {
            data.Add(Path.GetRelativePath(RepoPaths.Root, path));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void EveryCommittedConfigLoads(string relativePath)
    {
        var config = CompressionExperimentConfig.Load(Path.Combine(RepoPaths.Root, relativePath));
        Assert.True(config.Arms.Length >= 2);
    }
}
