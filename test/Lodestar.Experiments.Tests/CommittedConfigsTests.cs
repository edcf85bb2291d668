// Every config committed under configs/ reads and validates with the loader its command uses, so a renamed or
// misspelt field fails here, not an hour into an experiment.
using Lodestar.Experiments.FeedRanking;
using Lodestar.Experiments.JobMatching;
using Lodestar.Experiments.Retrieval;
using Lodestar.TestSupport;
using Lodestar.Training.SeqRec;

namespace Lodestar.Experiments.Tests;

public class CommittedConfigsTests
{
    public static TheoryData<string> Configs()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(RepoPaths.Root, "configs"), "*.json", SearchOption.AllDirectories).Order())
        {
            data.Add(Path.GetRelativePath(RepoPaths.Root, path));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void EveryCommittedConfigLoads(string relativePath)
    {
        var path = Path.Combine(RepoPaths.Root, relativePath);
        switch (Path.GetFileName(Path.GetDirectoryName(path)))
        {
            case "match":
                MultiTeacherConfig.Load(path);
                break;
            case "seqrec":
                SeqRecConfig.Load(path);
                break;
            case "retrieval":
                RetrievalExperimentConfig.Load(path);
                break;
            case "feed":
                FeedRankingExperimentConfig.Load(path);
                break;
            case "compress":
                // Compression is a peer of this project: Lodestar.Compression.Tests' CommittedCompressionConfigsTests loads these.
                break;
            default:
                Assert.Fail($"{relativePath}: no loader known for its folder");
                break;
        }
    }
}
