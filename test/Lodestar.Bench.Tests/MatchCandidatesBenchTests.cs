// `bench match-candidates` on a tiny model: every case is timed, the one pass computes the member's tokens once, and its
// logits are those of the pairs scored alone.
using Lodestar.Bench.JobMatching;
using Lodestar.Models.JobMatching;

namespace Lodestar.Bench.Tests;

public class MatchCandidatesBenchTests
{
    [Fact]
    public void EveryCaseIsTimedAndTheOnePassAgreesWithThePairs()
    {
        var result = MatchCandidatesBench.Run("tiny-student", MatchModelConfig.TinyStudent, candidates: 30, memberTokens: 20, jobTokens: 12, batch: 8,
            rounds: 2, seconds: 0.02, threads: 1);
        Assert.Equal(["pairs one by one", "pairs in batches of 8", "one pass", "one pass, int8 body", "one pass, bf16 body"], result.Cases.Select(c => c.Case));
        Assert.All(result.Cases, c => Assert.True(c.MedianMs > 0 && c.JobsPerSecond > 0, $"{c.Case}: {c.MedianMs} ms"));
        Assert.Equal([30L * 32, 30L * 32, 20 + (30L * 12), 20 + (30L * 12), 20 + (30L * 12)], result.Cases.Select(c => c.TokensComputed));
        Assert.Equal(1.0, result.Cases[1].SpeedupOverBatched);
        Assert.InRange(result.LargestDifference, 0, 1e-5);
        Assert.True(result.Int8LargestDifference > result.LargestDifference, "the int8 body ran in float32");
        Assert.Throws<ArgumentException>(() => MatchCandidatesBench.Run("tiny-student", MatchModelConfig.TinyStudent, 0, 20, 12, 8, 1, 0.02, 1));
    }
}
