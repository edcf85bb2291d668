// A trained run written in int8 as it runs: the directory's model loads with its layers in int8 and scores to the
// figures measured when it was written; an unknown precision is refused.
using Lodestar.Compression.JobMatching;
using Lodestar.Evaluation.Match;
using Lodestar.Features.JobMatching;
using Lodestar.Models.JobMatching;
using Lodestar.Training.JobMatching;

namespace Lodestar.Compression.Tests;

public class MatchRunQuantizationTests(TrainedPruningModel trained) : IClassFixture<TrainedPruningModel>
{
    [Fact]
    public void ARunIsQuantizedIntoADirectoryThatScoresAsItWasMeasured()
    {
        var output = Path.Combine(trained.World.Root, "int8-run");
        var result = MatchRunQuantization.Quantize(trained.Run, "int8", includeHead: false, output);
        Assert.DoesNotContain("encoder.head", result.Layers);
        Assert.Contains("encoder.blocks.1.mlp.fc2", result.Layers);
        Assert.True(result.Bytes < result.FloatBytes);
        var loaded = MatchModel.Load(Path.Combine(output, MatchModel.BestFile));
        var metrics = MatchEvaluator.Measure(MatchTestSet.Of(trained.World.Data, MatchSplit.Test), loaded, trained.World.Data).Metrics;
        Assert.All(MatchRunPruning.FigureKeys, k => Assert.Equal(result.After.Metrics[k], metrics[k]));
        Assert.True(File.Exists(Path.Combine(output, MatchFeatureSpec.FileName)));
        Assert.Contains("precision 'fp8'", Assert.Throws<ArgumentException>(() => MatchRunQuantization.Quantize(trained.Run, "fp8", false, output + "-fp8")).Message);
    }
}
